# Structured output with pydantic models, as openai-python users write it;
# only `openai` -> `edgen`, `OpenAI` -> `Edgen` and the model name differ.

from pydantic import BaseModel

from edgen import Edgen


class Step(BaseModel):
    explanation: str
    output: str


class MathResponse(BaseModel):
    steps: list[Step]
    final_answer: str


client = Edgen()

completion = client.chat.completions.parse(
    model="default",
    messages=[
        {"role": "system", "content": "You are a helpful math tutor."},
        {"role": "user", "content": "solve 8x + 31 = 2"},
    ],
    response_format=MathResponse,
)

message = completion.choices[0].message
if message.parsed:
    for step in message.parsed.steps:
        print("step:", step.explanation, "->", step.output)
    print("answer:", message.parsed.final_answer)
else:
    print("refusal:", message.refusal)
