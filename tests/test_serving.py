"""The embedded server (waitress) as `vib serve` runs it."""

import json
import socket
import tempfile
import threading

import waitress

from vib.cli import waitress_settings


def test_an_oversized_body_is_refused_by_the_server_before_it_is_read(app, api):
    app.config.update(VIB_MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2**20)
    server = waitress.create_server(app, host="127.0.0.1", port=0, **waitress_settings(app))
    threading.Thread(target=server.run, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as connection:
            # Only the headers are sent: the server answers from the announced length alone.
            connection.sendall(
                b"POST /api/clips HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                b"Content-Length: 5000000\r\n\r\n"
            )
            response = b""
            while chunk := connection.recv(65536):  # the server closes the connection after its answer
                response += chunk
            response = response.decode()
    finally:
        server.close()
    head, _, body = response.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413")
    assert "application/json" in head
    assert "\r\nserver:" not in head.lower()  # no banner naming the software
    assert json.loads(body)["error"].startswith("The request is too large. A video is sent in pieces of at most 8 MB")


def serve(app):
    server = waitress.create_server(app, host="127.0.0.1", port=0, **waitress_settings(app))
    threading.Thread(target=server.run, daemon=True).start()
    return server


def test_a_large_body_is_never_read_whatever_the_route(app, monkeypatch):
    """An anonymous POST /login that declares 300 MB is answered 413 from its headers alone; one sent
    without a length (chunked) is cut off once it passes the largest body vib takes (a piece, 8 MB),
    and held in memory up to then: nothing is written to a temporary file."""
    spooled = []  # waitress spools a large body into tempfile.TemporaryFile (unlinked: counted here)
    real_temporary_file = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda *args, **kwargs: spooled.append(1) or real_temporary_file(*args, **kwargs))
    server = serve(app)
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as connection:
            connection.sendall(b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                               b"Content-Length: 314572800\r\n\r\n")  # fmt: skip
            assert connection.recv(65536).startswith(b"HTTP/1.1 413")
        sent = 0
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as connection:
            connection.sendall(b"POST /login HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
            try:
                while sent < 300 * 2**20:
                    connection.sendall(chunk)
                    sent += 65536
            except (BrokenPipeError, ConnectionResetError):
                pass
        largest = waitress_settings(app)["max_request_body_size"]
        assert sent < largest + 8 * 2**20  # stopped reading past the limit (give or take the socket buffers)
        assert spooled == []  # held in memory, never written to the temporary folder
    finally:
        server.close()
