"""English demo content, written for ledgerdesk's demo desk.

Per intent, a few scenarios; each has subjects, customers' opening messages, agents' replies
and resolutions, customers' follow-ups and internal notes that belong together, and may limit
the (asset/network) routes it fits. The scenarios live in ``content_en_funds``,
``content_en_account`` and ``content_en_service``; this module joins them and adds the lines any
ticket can use, and the names customers get. ``{placeholders}`` are filled by
``ledgerdesk.demo.services`` from ``ledgerdesk.demo.content.PLACEHOLDERS``.
"""

from __future__ import annotations

from typing import Final

from ledgerdesk.demo import content_en_account, content_en_funds, content_en_service

INTENTS: Final[dict[str, tuple[dict[str, tuple[str, ...]], ...]]] = {
    **content_en_funds.INTENTS,
    **content_en_account.INTENTS,
    **content_en_service.INTENTS,
}

CHASERS: Final[tuple[str, ...]] = (
    "Any update?",
    "hello??",
    "Still waiting...",
    "It has been {hours} hours. Is anyone looking at this?",
    "Hi, just following up on this.",
)

NUDGES: Final[tuple[str, ...]] = (
    (
        "Hi {name}, just checking in — did the steps above help? If I don't hear back in a few "
        "days I'll mark this as solved, and you can always reply to reopen it."
    ),
    (
        "Hi {name}, I'm still waiting for the details I asked for above. Once I have them I can "
        "move this forward."
    ),
    (
        "Hello {name}, following up on my last message. Let me know if you need anything else "
        "from us."
    ),
)

ESCALATIONS: Final[tuple[str, ...]] = (
    (
        "Hi {name}, I've passed this to our specialist team and they're investigating. This can "
        "take a little longer; I'll update you here as soon as I hear back.\n\n{agent}"
    ),
    (
        "Hello {name}, thanks for your patience. We're waiting on an answer from a partner on "
        "this one. Your case stays open and I'll come back to you as soon as we know more."
    ),
    (
        "Hi {name}, this needs a deeper check by our back-office team. I've escalated it with all "
        "the details you gave, so there's no need to send them again."
    ),
)

ACKNOWLEDGEMENTS: Final[tuple[str, ...]] = (
    (
        "Thanks, {name} — I've added this to your case and will update you here as soon as I have "
        "news."
    ),
    (
        "Hi {name}, thanks for the extra details. I've passed them on to the team handling this "
        "and will get back to you shortly."
    ),
    "Understood, {name}. I'm keeping an eye on this and will reply here as soon as it moves.",
)

HOLD_NOTES: Final[tuple[str, ...]] = (
    "Escalated. Waiting on the specialist team.",
    "On hold until the partner answers. Reminder set for tomorrow.",
    "Waiting for back-office. Customer informed.",
)

FIRST_NAMES: Final[tuple[str, ...]] = (
    "James",
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Sophie",
    "Ethan",
    "Chloe",
    "Lucas",
    "Mia",
    "Daniel",
    "Hannah",
    "Mateo",
    "Isabella",
    "Arjun",
    "Priya",
    "Kwame",
    "Amara",
    "Tomás",
    "Lucía",
    "Mehmet",
    "Elif",
    "Dmitri",
    "Anya",
    "Kenji",
    "Yuki",
    "Minh",
    "Linh",
    "Rahul",
    "Fatima",
    "Omar",
    "Leila",
    "Sven",
    "Ingrid",
    "Pedro",
    "Camila",
    "Chinedu",
    "Ngozi",
    "Ryan",
    "Jessica",
    "Marcus",
    "Nadia",
    "Jonas",
    "Zara",
    "Ali",
    "Grace",
)

LAST_NAMES: Final[tuple[str, ...]] = (
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Martin",
    "Anderson",
    "Clarke",
    "Walker",
    "Wright",
    "Patel",
    "Sharma",
    "Nair",
    "Mensah",
    "Okafor",
    "Adeyemi",
    "García",
    "Fernández",
    "Silva",
    "Costa",
    "Yılmaz",
    "Kaya",
    "Ivanov",
    "Petrova",
    "Tanaka",
    "Sato",
    "Nguyen",
    "Tran",
    "Khan",
    "Haddad",
    "Larsen",
    "Berg",
    "Müller",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Novak",
    "O'Brien",
    "Murphy",
)
