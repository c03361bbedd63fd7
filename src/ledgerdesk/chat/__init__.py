"""Live chat: the widget's conversations are tickets with channel ``chat``.

``models`` (visitors and conversations), ``items`` (what a client receives for a message),
``identity`` (who is on the widget side), ``hours`` (business hours), ``services`` (sending,
replay, marks, queue), ``api`` (the widget's HTTP routes). The realtime side (bus, websocket,
presence, limits) and the frame page live in their own modules of this package."""
