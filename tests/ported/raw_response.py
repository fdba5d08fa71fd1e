# A raw response: its headers, its request id, then the parsed completion.
from edgen import Edgen

client = Edgen()

response = client.chat.completions.with_raw_response.create(
    model="default",
    messages=[{"role": "user", "content": "Say this is a test"}],
)
print("request id:", response.request_id)
print("status:", response.method, response.status_code)

completion = response.parse()
print("content:", completion.choices[0].message.content)
print("model request id:", completion._request_id)
