"""The assistant: grounded answers from the help center and the customer's own chain and
account data, or a handover to a person with everything already gathered (docs/assistant.md).
"""
