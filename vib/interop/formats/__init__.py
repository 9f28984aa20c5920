"""The exchange formats as pure code: plain dataclasses in and out, no Flask, no database (a contract
says so), so each format is tested on its own."""
