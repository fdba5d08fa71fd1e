from ..chat.completion_create_params import FunctionDefinition as FunctionDefinition
