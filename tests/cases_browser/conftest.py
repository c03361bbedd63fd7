from tests.channels.smtp import configure_mail, mail_settings, smtp_server

__all__ = ["configure_mail", "mail_settings", "smtp_server"]
