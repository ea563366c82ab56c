"""The SMPP v3.4 server (SMSC side) over the message core: `[smpp] listen` in the config.

    server = SmppServer(core, SmppSettings(listen=("127.0.0.1", 2775), window=10))
    await server.start()
    ...
    server.notify()            # a message changed or one came in: receivers are served now
    await server.stop()

`session.Connection` runs one ESME's session on `modemgw.smpp` (the sans-IO protocol);
`adapter` translates PDUs to core `Submission`s and core records and errors back;
`feed.Feed` carries a key's delivery receipts and received messages from the core's
event log to its bound receivers, behind a cursor kept in the database. docs/smpp.md
says what is served and how.
"""

from .server import SmppServer
from .settings import SmppSettings

__all__ = ["SmppServer", "SmppSettings"]
