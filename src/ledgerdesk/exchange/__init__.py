"""The connector to the exchange's backend, and the demo exchange that implements its contract."""
