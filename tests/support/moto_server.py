"""Starts moto on a free loopback port for fairlink's tests.

Prints the port, then serves until standard input closes: the test process holds the other
end of the pipe, so moto stops when the tests do, however they end.
"""
import sys

from moto.server import ThreadedMotoServer

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
