"""The customer portal: sign in by e-mail code, open tickets, follow and answer them."""
