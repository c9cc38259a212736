"""A plain HTML reference of the API, rendered from the OpenAPI document itself.

Nothing is loaded from elsewhere: one page, the library's stylesheets, no scripts.
"""

from flask import current_app, render_template_string

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ info.title }} API {{ info.version }}</title>
<link rel="stylesheet" href="{{ url_for('static', filename='eventsys.css') }}">
<link rel="stylesheet" href="{{ url_for('static', filename='api-docs.css') }}">
</head>
<body>
<main>
<h1>{{ info.title }} API {{ info.version }}</h1>
<pre>{{ info.description }}</pre>
<p>Machine-readable description:
  <a href="{{ url_for('api-docs.openapi_json') }}">openapi.json</a> (OpenAPI {{ openapi }}).</p>
<h2>Operations</h2>
<ul>
{% for path, ops in paths %}{% for method, op in ops %}
  <li><a href="#{{ op.operationId or (method ~ path) }}">
    <code>{{ method|upper }} {{ path }}</code></a>
    {{ op.summary or '' }}</li>
{% endfor %}{% endfor %}
</ul>
{% for path, ops in paths %}{% for method, op in ops %}
<section class="op" id="{{ op.operationId or (method ~ path) }}">
  <h3><code>{{ method|upper }} {{ path }}</code></h3>
  {% if op.summary %}<p>{{ op.summary }}</p>{% endif %}
  {% if op.description %}<p>{{ op.description }}</p>{% endif %}
  <p>Authentication: {{ 'bearer token' if op.security and op.security[-1] else 'none' }}
    {%- if op.security and op.security|length > 1 %} (optional){% endif %}</p>
  {% if op.parameters %}
  <table>
    <caption>Parameters</caption>
    <tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Required</th>
      <th scope="col">Schema</th></tr>
    {% for p in op.parameters %}
    <tr><td><code>{{ p.name }}</code></td><td>{{ p.in }}</td>
      <td>{{ 'yes' if p.required else 'no' }}</td><td><code>{{ p.schema|tojson }}</code></td></tr>
    {% endfor %}
  </table>
  {% endif %}
  {% if op.requestBody %}
  <p>Request body (JSON): <code>{{ ref(op.requestBody) }}</code></p>
  {% endif %}
  <table>
    <caption>Responses</caption>
    <tr><th scope="col">Status</th><th scope="col">Meaning</th><th scope="col">Body</th></tr>
    {% for status, response in op.responses.items() %}
    <tr><td>{{ status }}</td><td>{{ describe(response) }}</td>
      <td><code>{{ ref(response) }}</code></td></tr>
    {% endfor %}
  </table>
</section>
{% endfor %}{% endfor %}
<h2>Schemas</h2>
{% for name, schema in schemas %}
<section id="schema-{{ name }}">
  <h3>{{ name }}</h3>
  <table>
    <tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Notes</th></tr>
    {% for field, prop in (schema.properties or {}).items() %}
    <tr><td><code>{{ field }}</code>
        {%- if field in (schema.required or []) %} (required){% endif %}</td>
      <td><code>{{ prop.type or ref(prop) }}
        {%- if prop.format %} ({{ prop.format }}){% endif %}</code></td>
      <td>{{ prop.description or '' }}
        {%- if prop.enum %} One of: {{ prop.enum|join(', ') }}.{% endif %}</td></tr>
    {% endfor %}
  </table>
</section>
{% endfor %}
</main>
</body>
</html>
"""


def _ref(node) -> str:
    """The schema a request body or response refers to, by name."""
    text = repr(node)
    marker = "#/components/"
    if marker in text:
        return text.split(marker, 1)[1].split("'", 1)[0]
    return ""


def _describe(response) -> str:
    if isinstance(response, dict):
        return response.get("description", "") or _ref(response)
    return str(response)


def docs():
    """The human-readable reference page."""
    spec = current_app.extensions["eventsys_api"].spec.to_dict()
    paths = [
        (path, [(method, op) for method, op in ops.items() if isinstance(op, dict)])
        for path, ops in sorted(spec.get("paths", {}).items())
    ]
    schemas = sorted(spec.get("components", {}).get("schemas", {}).items())
    return render_template_string(
        _PAGE,
        info=spec["info"],
        openapi=spec.get("openapi", ""),
        paths=paths,
        schemas=schemas,
        ref=_ref,
        describe=_describe,
    )
