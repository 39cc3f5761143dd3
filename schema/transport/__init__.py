"""GraphQL over HTTP: reading requests, choosing the media type, answering, CORS and gzip."""
