"""Outbound webhooks: ticket events sent, signed, to the URLs an admin registers.

``events`` (the event types), ``signing`` (the signature and its check), ``services``
(endpoints, test events, replays), ``listener`` (new ticket events → one job per flush),
``payload`` (what a delivery carries), ``sender`` (one HTTP attempt), ``tasks`` (the jobs that
create and deliver deliveries, with their retry schedule), ``api`` and ``console``."""
