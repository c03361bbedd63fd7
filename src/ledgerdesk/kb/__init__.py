"""Knowledge base: help-center articles, translations, versions, feedback, search analytics."""
