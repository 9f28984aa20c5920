"""The embedded server (waitress) as `vib serve` runs it."""

import json
import socket
import threading

import waitress

from vib.cli import waitress_settings


def test_an_oversized_upload_is_refused_by_the_server_before_it_is_read(app, api):
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
    assert json.loads(body)["error"] == "The file is too large: at most 1 MB can be uploaded."
