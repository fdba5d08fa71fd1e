# A forced tool call whose arguments are decoded into a pydantic model.
from enum import Enum
from typing import Union

from pydantic import BaseModel

import edgen
from edgen import Edgen


class Table(str, Enum):
    orders = "orders"
    customers = "customers"
    products = "products"


class Column(str, Enum):
    id = "id"
    status = "status"
    expected_delivery_date = "expected_delivery_date"
    delivered_at = "delivered_at"
    shipped_at = "shipped_at"
    ordered_at = "ordered_at"
    canceled_at = "canceled_at"


class Operator(str, Enum):
    eq = "="
    gt = ">"
    lt = "<"
    le = "<="
    ge = ">="
    ne = "!="


class OrderBy(str, Enum):
    asc = "asc"
    desc = "desc"


class DynamicValue(BaseModel):
    column_name: str


class Condition(BaseModel):
    column: str
    operator: Operator
    value: Union[str, int, DynamicValue]


class Query(BaseModel):
    table_name: Table
    columns: list[Column]
    conditions: list[Condition]
    order_by: OrderBy


client = Edgen()

completion = client.chat.completions.parse(
    model="default",
    messages=[
        {
            "role": "system",
            "content": "You are a helpful assistant. Use the supplied tools to answer.",
        },
        {
            "role": "user",
            "content": "look up all my orders in november of last year that were fulfilled "
            "but not delivered on time",
        },
    ],
    tools=[edgen.pydantic_function_tool(Query)],
    tool_choice={"type": "function", "function": {"name": "Query"}},
)

tool_call = (completion.choices[0].message.tool_calls or [])[0]
print("function:", tool_call.function.name)
query = tool_call.function.parsed_arguments
assert isinstance(query, Query)
print("table:", query.table_name.value, "order:", query.order_by.value)
