"""Starts moto on a free loopback port for fairlink's tests.

Prints the port, then serves until standard input closes: the test process holds the other
end of the pipe, so moto stops when the tests do, however they end.

moto serves each request on its own thread without isolating them, so two racing
DynamoDB transactions can both pass a condition that only one of them may pass. DynamoDB
itself serializes writes to an item; to keep that guarantee under test, DynamoDB requests
are served one at a time here. (SQS is left concurrent: its long polls would hold a lock.)
"""
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

dynamodb_lock = threading.Lock()
app = DomainDispatcherApplication(create_backend_app)


def serialized_dynamodb(environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with dynamodb_lock:
            # Read the whole answer inside the lock: the work may happen lazily.
            return list(app(environ, start_response))
    return app(environ, start_response)


server = make_server("127.0.0.1", 0, serialized_dynamodb, True, request_handler=MotoRequestHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
server.shutdown()
