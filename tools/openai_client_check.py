#!/usr/bin/env python3
"""Calls a running t2i server with OpenAI's Python client (pip install openai), unchanged but for
its base URL, and checks that the images come back as decodable PNGs and errors in OpenAI's shape.

    java -jar target/t2i.jar serve --model model.t2i --port 8080 &
    python3 tools/openai_client_check.py http://127.0.0.1:8080/v1 16x16
"""
import base64
import struct
import sys

from openai import BadRequestError, OpenAI


def main(base_url: str, size: str) -> int:
    client = OpenAI(base_url=base_url, api_key="unused")
    r = client.images.generate(prompt="a red circle", n=2, size=size, response_format="b64_json",
                               extra_body={"seed": 100, "steps": 10})
    for i, d in enumerate(r.data):
        png = base64.b64decode(d.b64_json)
        assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        w, h = struct.unpack(">II", png[16:24])
        assert f"{w}x{h}" == size, f"{w}x{h} is not {size}"
        print(f"image {i}: {len(png)} bytes, {w}x{h}, seed {d.model_extra.get('seed')}")
    try:
        client.images.generate(prompt="x", size="1024x1024")
        print("error: a wrong size was accepted")
        return 1
    except BadRequestError as e:
        assert e.body["param"] == "size" and e.body["type"] == "invalid_request_error", e.body
        print(f"wrong size: {e.status_code} {e.body['message']}")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/v1",
                  sys.argv[2] if len(sys.argv) > 2 else "16x16"))
