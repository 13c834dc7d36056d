"""The operations console: server-rendered pages (Starlette, Jinja2, a vendored htmx) and their JSON API."""
