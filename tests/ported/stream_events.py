# The event loop of `chat.completions.stream()` with a pydantic response format.

from pydantic import BaseModel

from edgen import Edgen


class Step(BaseModel):
    explanation: str
    output: str


class MathResponse(BaseModel):
    steps: list[Step]
    final_answer: str


client = Edgen()

with client.chat.completions.stream(
    model="default",
    messages=[
        {"role": "system", "content": "You are a helpful math tutor."},
        {"role": "user", "content": "solve 8x + 31 = 2"},
    ],
    response_format=MathResponse,
) as stream:
    for event in stream:
        if event.type == "content.delta":
            print(event.delta, end="", flush=True)
        elif event.type == "content.done":
            print()
            if event.parsed is not None:
                print("answer:", event.parsed.final_answer)
        elif event.type == "refusal.delta":
            print(event.delta, end="", flush=True)
        elif event.type == "refusal.done":
            print()

completion = stream.get_final_completion()
parsed = completion.choices[0].message.parsed
print("final:", parsed.final_answer if parsed else None)
