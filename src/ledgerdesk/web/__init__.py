"""App factory, middleware, layout templates, static assets and the console shell."""
