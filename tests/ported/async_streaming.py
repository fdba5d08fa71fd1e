# Streaming with the async client.
import asyncio

from edgen import AsyncEdgen

client = AsyncEdgen()


async def main() -> None:
    stream = await client.chat.completions.create(
        model="default",
        messages=[
            {"role": "user", "content": "How do I output all files in a directory using Python?"}
        ],
        stream=True,
    )
    async for chunk in stream:
        if not chunk.choices:
            continue
        print(chunk.choices[0].delta.content or "", end="", flush=True)
    print()
    await client.close()


asyncio.run(main())
