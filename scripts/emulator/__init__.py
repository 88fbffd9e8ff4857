"""A local stand-in for the Microsoft Graph and Entra ID endpoints photoprov uses (scripts/graph-emulator).

Python 3 standard library only; the `openssl` command makes the throwaway TLS authority and the token-signing key and
checks certificate-signed client assertions.

Modules: `common` (requests, answers, error shapes), `seed` (the directory: tenants, apps, users, groups, teams,
contacts, managed identities), `csvrules` (photoprov's CSV and key rules), `images` (measuring and re-encoding photos),
`keys` (openssl: signing key, JWKS, TLS authority), `entra` (sign-in, discovery, managed identity), `faults` (latency,
faults, throttling), `graph` (the Graph route table and its handlers), `photos`, `contacts`, `hooks` (`/_emulator/*`),
`core` (the emulator's state and dispatch), `server` (http.server with optional TLS), `cli` (flags and help),
`contract` (resolving paths against Graph's published metadata).
"""
