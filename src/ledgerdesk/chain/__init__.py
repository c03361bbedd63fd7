"""On-chain answers: the asset/network registry, chain adapters and deposit/withdrawal diagnosis."""
