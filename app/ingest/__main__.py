"""`python -m app.ingest …`: the ingestion worker and its tools.

Environment (besides DATABASE_URL, MASTER_KEY/MASTER_KEY_FILE, TIMEZONE):
  INGEST_SPOOL_DIR           where each source's spool file lives (default data/spool)
  INGEST_AUTO_CREATE_METERS  1: create a meter row for readings from an unknown meter (default 0)

Over 400 lines on purpose: the parser and one short function per command (decode, serial, mbus,
mqtt, replay, wmbus, file imports, keys, status, demo-ingest) read best in one place, as
`--help` lists them; each command only wires the modules that do the work.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import signal
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from app.config import settings
from app.i18n.numbers import format_lag

log = logging.getLogger("app.ingest")


# -- shared wiring ------------------------------------------------------------------------------


def _spool_path(name: str) -> Path:
    return settings.ingest_spool_dir / (re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") + ".jsonl")


def _pipeline(
    name: str, kind: str, reading_source: str, meter: str | None = None, **store_options: Any
) -> Any:
    from app.db import get_engine
    from app.ingest.keyring import KeyRing
    from app.ingest.store import ReadingStore
    from app.ingest.worker import FramePipeline
    from app.services.consumption.rollups import refresh_consumption

    engine = get_engine()
    store = ReadingStore(
        engine,
        _spool_path(name),
        auto_create_meters=settings.ingest_auto_create_meters,
        refresh=refresh_consumption,
        **store_options,
    )
    source = store.source(name, kind, reading_source)
    return FramePipeline(store, source, KeyRing(engine), meter_ref=meter)


def _report(pipeline: Any) -> None:
    source = pipeline.source
    print(
        f"{source.name}: frames ok {source.frames_ok}, bad {source.frames_bad}, readings stored "
        f"{source.readings_stored}, already stored {source.readings_duplicate}, "
        f"rejected {source.readings_rejected}, unknown meters {source.unknown_meters}"
    )
    if pipeline.store.spool.pending():
        print(f"database unavailable: readings kept in {pipeline.store.spool.path}, replayed on the next run")


def _wait_for_stop(stop: threading.Event, seconds: float | None) -> None:
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait(seconds)
    stop.set()


# -- decode -------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _parse_input(text: str) -> bytes | str:
    if text == "-":
        text = sys.stdin.read()
    cleaned = re.sub(r"\s+", "", text)
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    if cleaned and re.fullmatch(r"[0-9A-Fa-f]+", cleaned) and len(cleaned) % 2 == 0:
        raw = bytes.fromhex(cleaned)
        return raw.decode("ascii") if raw[:1] == b"/" and b"!" in raw else raw
    return text.replace("\\r\\n", "\r\n").replace("\\n", "\n")  # a P1 telegram as text


def command_decode(args: argparse.Namespace) -> int:
    from app.ingest.decoders import DecodeError, decode_any

    try:
        key = bytes.fromhex(args.key) if args.key else None
        auth_key = bytes.fromhex(args.auth_key) if args.auth_key else None
    except ValueError:
        print("keys must be hex", file=sys.stderr)
        return 2
    data = _parse_input(args.frame)
    key_for = None
    if key is None:
        from app.db import get_engine
        from app.ingest.keyring import KeyRing
        from app.services.caller import process_caller

        # An operator at a shell, not the worker: the audit log names the OS user and host.
        key_for = KeyRing(get_engine(), process_caller())
    try:
        frame = decode_any(data, key, auth_key, key_for)
    except DecodeError as error:
        print(f"rejected: {error}", file=sys.stderr)
        return 2
    values = {name: _json_value(value) for name, value in frame.values.items()}
    if frame.meter_datetime is not None:
        values["meter_datetime"] = frame.meter_datetime.isoformat()
    for name in ("meter_id", "meter_type", "list_ver_id"):
        if getattr(frame, name) is not None:
            values.setdefault(name, getattr(frame, name))
    values["units"] = dict(frame.units)
    print(json.dumps(values, ensure_ascii=False, default=str))
    return 0


# -- sources ------------------------------------------------------------------------------------


def command_serial(args: argparse.Namespace) -> int:
    from app.ingest.sources.serial_port import SerialSettings, SerialSource

    name = args.name or f"serial:{args.port}"
    pipeline = _pipeline(name, "serial", args.reading_source, args.meter)
    settings = SerialSettings.for_protocol(args.port, args.protocol, args.baud, args.framing)
    source = SerialSource(settings, pipeline)
    thread = source.start()
    _wait_for_stop(source.stop_event, args.seconds)
    thread.join(timeout=5)
    pipeline.store.close()
    _report(pipeline)
    return 0


def command_mbus(args: argparse.Namespace) -> int:
    from app.ingest.sources.mbus_master import MbusPoller, MeterAddress
    from app.ingest.sources.serial_port import SerialSettings

    try:
        addresses = [MeterAddress.parse(text) for text in args.address]
    except ValueError as error:
        print(f"bad address: {error}", file=sys.stderr)
        return 2
    pipeline = _pipeline(args.name or f"mbus:{args.port}", "mbus", "collected")
    settings = SerialSettings(args.port, args.baud, "8E1", "mbus", read_timeout=0.05)
    poller = MbusPoller(
        settings, pipeline, addresses, interval=args.interval, timeout=args.timeout, retries=args.retries
    )
    signal.signal(signal.SIGTERM, lambda *_: poller.stop_event.set())
    with contextlib.suppress(KeyboardInterrupt):
        poller.run(cycles=args.cycles)
    pipeline.store.close()
    _report(pipeline)
    return 0


def command_mqtt(args: argparse.Namespace) -> int:
    import socket

    from app.ingest.sources.mqtt import MqttSource, Subscription, default_client_id

    try:
        subscriptions = [Subscription.parse(text) for text in args.topic]
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    client_id = args.client_id or default_client_id(args.group, args.index)
    # The stream (what a HAN reader's consent names) is the group's; the source is this worker's,
    # named by its client id: its own spool file and its own status row.
    stream = args.name or f"mqtt:{args.url}"
    name = f"{args.name}@{client_id}" if args.name else f"mqtt:{client_id}"
    pipeline = _pipeline(
        name[:120], "mqtt", args.reading_source, batch_size=args.batch, heartbeat_seconds=args.heartbeat
    )
    counters = pipeline.source
    counters.reader_id, counters.host = stream[:120], socket.gethostname()
    counters.group_name, counters.client_id = args.group or "", client_id
    try:
        source = MqttSource(
            args.url, subscriptions, pipeline, client_id, group=args.group, session_expiry=args.session_expiry
        )
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    # What an earlier run spooled goes to the database before anything new is taken.
    pipeline.store.replay_spool()
    stop = threading.Event()
    source.start()
    _wait_for_stop(stop, args.seconds)
    source.stop()
    counters.set_state("stopped")  # on purpose: the status page does not call it silent
    pipeline.store.close()
    _report(pipeline)
    return 0


def command_replay(args: argparse.Namespace) -> int:
    from app.ingest.sources.files import replay_stream

    path = Path(args.file)
    pipeline = _pipeline(args.name or f"replay:{path.name}", "replay", args.reading_source, args.meter)
    replay_stream(path, pipeline, args.protocol)
    pipeline.store.close()
    _report(pipeline)
    return 0


def command_wmbus(args: argparse.Namespace) -> int:
    from app.ingest.sources.files import capture_lines, feed_hex_lines

    name = args.name or ("wmbus:stdin" if args.file == "-" else f"wmbus:{Path(args.file).name}")
    pipeline = _pipeline(name, "wmbus", "collected")
    if args.file == "-":
        feed_hex_lines(capture_lines(sys.stdin.buffer), pipeline)
    else:
        with open(args.file, "rb") as handle:  # lines cut at a bound: a file without line ends is
            feed_hex_lines(capture_lines(handle), pipeline)  # never held whole
    pipeline.store.close()
    _report(pipeline)
    return 0


def command_import_csv(args: argparse.Namespace) -> int:
    return _import_billing_file(args, "csv", "import_interval_file")


def command_import_registers(args: argparse.Namespace) -> int:
    return _import_billing_file(args, "registers", "import_register_file")


def _import_billing_file(args: argparse.Namespace, kind: str, importer_name: str) -> int:
    """A billing-grade file: every refused line on stderr with its number, the totals on stdout.

    Exit 0 when every line was taken (stored or already stored), 1 when some were refused,
    2 when the file cannot be read at all.
    """
    from app.ingest.sources import billing_files

    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    pipeline = _pipeline(args.name or f"{kind}:{path.name}", "csv", "collected")
    importer = getattr(billing_files, importer_name)
    try:
        report = importer(path, pipeline.store, pipeline.source)
    except billing_files.CsvFormatError as error:
        print(str(error), file=sys.stderr)
        return 2
    for line, reason in report.refused:
        print(f"{path.name} line {line}: {reason}", file=sys.stderr)
    pipeline.store.close()
    print(f"{path.name}: {report.summary()}")
    _report(pipeline)
    return 1 if report.refused else 0


# -- keys, status, demo -------------------------------------------------------------------------


def command_keys(args: argparse.Namespace) -> int:
    from app.db import session_scope
    from app.services.caller import process_caller
    from app.services.errors import DomainError
    from app.services.keys.operator_files import export_keys_csv, import_keys_csv
    from app.services.keys.sealing import add_key
    from app.services.keys.worker_json import worker_json_as_csv

    actor = process_caller()  # the audit log names the OS user and host at the shell
    if args.keys_command == "rewrap":
        return _rewrap_keys(actor, args.batch)
    try:
        with session_scope() as db:
            if args.keys_command == "add":
                row = add_key(
                    db,
                    args.serial,
                    args.key,
                    args.auth_key,
                    system_title=args.system_title,
                    kind=args.kind,
                    owner_id=args.owner,
                    actor=actor,
                    replace=args.replace,
                )
                print(f"stored keys of {row.serial} (id {row.id})")
            elif args.keys_command == "import":
                path = Path(args.file)
                content = path.read_text(encoding="utf-8")
                if path.suffix.lower() == ".json":  # the key service's export for the worker
                    content = worker_json_as_csv(content)
                result = import_keys_csv(
                    db, content, owner_id=args.owner, actor=actor, replace=args.replace, source_name=path.name
                )
                print(f"added {result.added}, replaced {result.replaced}, rejected {len(result.rejected)}")
                for line, reason in result.rejected:
                    print(f"  line {line}: {reason}", file=sys.stderr)
            else:
                sys.stdout.write(export_keys_csv(db, args.owner, actor))
    except DomainError as error:
        print(error.message("en"), file=sys.stderr)
        return 2
    return 0


def _rewrap_keys(actor: object, batch: int) -> int:
    from app.db import get_engine
    from app.services.keys.rewrap import rewrap_data_keys
    from app.services.keys.sealing import MasterKeyError, load_master_keys

    try:
        result = rewrap_data_keys(get_engine(), load_master_keys(), actor, batch_size=batch)  # type: ignore[arg-type]
    except MasterKeyError as error:
        print(error, file=sys.stderr)
        return 2
    print(
        f"re-wrapped {result.rewrapped} keys and {result.staged} staged import rows"
        + (f"; {result.unknown} under a master key not given" if result.unknown else "")
    )
    return 1 if result.unknown else 0


def command_status(args: argparse.Namespace) -> int:
    from app.db import session_scope
    from app.services.caller import process_caller
    from app.services.staff.ingest_status import source_statuses

    with session_scope() as db:
        statuses = source_statuses(db, process_caller())
    if args.json:
        print(json.dumps([_status_dict(s) for s in statuses], default=str))
        return 0
    if not statuses:
        print("no sources have reported yet")
        return 0
    header = (
        "source",
        "kind",
        "data",
        "host",
        "group",
        "state",
        "last frame (UTC)",
        "ok",
        "bad",
        "messages",
        "stored",
        "dup",
        "refused",
        "spool",
        "lag",
        "last report (UTC)",
    )
    rows = [
        (
            s.name,
            s.kind,
            s.reading_source,
            s.host or "-",
            s.group_name or "-",
            s.state if s.reporting else "STOPPED REPORTING",
            _utc(s.last_frame_at),
            str(s.frames_ok),
            str(s.frames_bad),
            str(s.messages),
            str(s.readings_stored),
            str(s.readings_duplicate),
            str(s.readings_rejected),
            str(s.spool_depth),
            format_lag(s.lag_seconds),
            _utc(s.updated_at),
        )
        for s in statuses
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _utc(instant: datetime | None) -> str:
    return instant.strftime("%Y-%m-%d %H:%M:%S") if instant else "-"


def _status_dict(status: Any) -> dict[str, Any]:
    return {name: getattr(status, name) for name in status.__slots__}


def command_demo_ingest(args: argparse.Namespace) -> int:
    from app.db import get_engine
    from app.ingest.demo_feed import run_demo_feed

    result = run_demo_feed(get_engine(), _spool_path("demo"), days=args.days)
    print(
        f"demo-ingest: {result.frames} frames from {result.meters} meters through the worker, "
        f"{result.readings_stored} readings stored, in {result.seconds:.1f} s (last {args.days} days)"
    )
    return 0


# -- arguments ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.ingest", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging (rejected frames too)")
    commands = parser.add_subparsers(dest="command", required=True)

    decode = commands.add_parser("decode", help="decode one frame or telegram and print it as JSON")
    decode.add_argument(
        "frame",
        help="hex of an HDLC frame, its information field, a wM-Bus telegram, "
        "or a P1 telegram ('-' reads stdin)",
    )
    decode.add_argument("--key", help="encryption key (hex); else looked up in the key table")
    decode.add_argument("--auth-key", help="DLMS authentication key (hex)")
    decode.set_defaults(handler=command_decode)

    def source_options(sub: argparse.ArgumentParser, default_source: str) -> None:
        sub.add_argument(
            "--name",
            help="source name in status (default: kind and device); for mqtt the "
            "stream's name, which HAN readers' consents name (default mqtt:URL), and each "
            "worker's status row is NAME@CLIENT_ID (default mqtt:CLIENT_ID)",
        )
        sub.add_argument(
            "--source",
            dest="reading_source",
            choices=("han", "collected"),
            default=default_source,
            help=f"what the readings are (default {default_source}); HAN data is stored only "
            "for meters whose customer connected this reader with consent",
        )

    serial_cmd = commands.add_parser("serial", help="read a HAN (HDLC) or P1 serial port")
    serial_cmd.add_argument("--port", required=True)
    serial_cmd.add_argument("--baud", type=int, help="default 2400 (han) or 115200 (p1)")
    serial_cmd.add_argument("--framing", help="e.g. 8E1 (han default) or 8N1 (p1 default)")
    serial_cmd.add_argument("--protocol", choices=("han", "p1"), default="han")
    serial_cmd.add_argument("--meter", help="meter serial, for lists that carry no meter id")
    serial_cmd.add_argument("--seconds", type=float, help="stop after this many seconds")
    source_options(serial_cmd, "han")
    serial_cmd.set_defaults(handler=command_serial)

    mbus = commands.add_parser("mbus", help="poll wired M-Bus meters (primary or 8-digit secondary address)")
    mbus.add_argument("--port", required=True)
    mbus.add_argument("--baud", type=int, default=2400)
    mbus.add_argument("--address", action="append", required=True, help="repeat for each meter")
    mbus.add_argument("--interval", type=float, default=900.0, help="seconds between polling cycles")
    mbus.add_argument("--timeout", type=float, default=1.0, help="seconds per meter and attempt")
    mbus.add_argument("--retries", type=int, default=2)
    mbus.add_argument("--cycles", type=int, help="stop after this many cycles")
    mbus.add_argument("--name")
    mbus.set_defaults(handler=command_mbus)

    mqtt_cmd = commands.add_parser("mqtt", help="subscribe to HAN readers and telegram topics")
    mqtt_cmd.add_argument("--url", default="mqtt://127.0.0.1:1883")
    mqtt_cmd.add_argument("--topic", action="append", required=True, help="FILTER[=auto|json|hex|raw]")
    mqtt_cmd.add_argument("--seconds", type=float, help="stop after this many seconds")
    mqtt_cmd.add_argument(
        "--group",
        help="consumer group: workers of one group share the stream "
        "(MQTT 5 shared subscription $share/GROUP/FILTER)",
    )
    mqtt_cmd.add_argument(
        "--index", type=int, default=0, help="this worker's number on its host, part of the default client id"
    )
    mqtt_cmd.add_argument("--client-id", help="default HOST-GROUP-INDEX; stable across restarts, unique")
    mqtt_cmd.add_argument(
        "--session-expiry",
        type=int,
        default=3600,
        help="seconds the broker keeps the session of a worker that is away (default 3600)",
    )
    mqtt_cmd.add_argument(
        "--batch",
        type=int,
        default=5_000,
        help="readings per database write; also the MQTT Receive Maximum (default 5000)",
    )
    mqtt_cmd.add_argument(
        "--heartbeat", type=float, default=10.0, help="seconds between status reports when idle (default 10)"
    )
    source_options(mqtt_cmd, "han")
    mqtt_cmd.set_defaults(handler=command_mqtt)

    replay = commands.add_parser("replay", help="replay a captured byte stream (HAN, P1 or hex lines)")
    replay.add_argument("file")
    replay.add_argument("--protocol", choices=("auto", "han", "p1", "hex"), default="auto")
    replay.add_argument("--meter", help="meter serial, for lists that carry no meter id")
    # A capture is the customer's HAN data unless the operator says it is billing-grade.
    source_options(replay, "han")
    replay.set_defaults(handler=command_replay)

    wmbus = commands.add_parser("wmbus", help="wireless M-Bus telegrams as hex lines ('-' reads stdin)")
    wmbus.add_argument("file")
    wmbus.add_argument("--name")
    wmbus.set_defaults(handler=command_wmbus)

    csv_cmd = commands.add_parser(
        "import-csv",
        help="billing-grade hourly values: meter,timestamp,kWh[,status] or the grid "
        "companies' Målepunkt-ID;Fra;Til;Volum;Enhet;Kvalitet",
    )
    csv_cmd.add_argument("file")
    csv_cmd.add_argument("--name")
    csv_cmd.set_defaults(handler=command_import_csv)

    registers_cmd = commands.add_parser(
        "import-registers",
        help="billing-grade register readings: "
        "meter,register,timestamp,value,unit[,status measured|estimated]",
    )
    registers_cmd.add_argument("file")
    registers_cmd.add_argument("--name")
    registers_cmd.set_defaults(handler=command_import_registers)

    keys = commands.add_parser("keys", help="the meter-key table")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    add = key_commands.add_parser("add")
    add.add_argument("serial")
    add.add_argument("--key", required=True, help="encryption key, 16 bytes hex")
    add.add_argument("--auth-key", help="DLMS authentication key, 16 bytes hex")
    add.add_argument("--system-title", help="DLMS system title, 8 bytes hex")
    add.add_argument("--kind", choices=("meter", "concentrator"), default="meter")
    add.add_argument("--owner", type=int, help="owner organisation id")
    add.add_argument("--replace", action="store_true", help="re-key an existing serial")
    imported = key_commands.add_parser(
        "import", help="CSV: serial,key[,auth_key][,system_title][,kind], or the key service's .json export"
    )
    imported.add_argument("file")
    imported.add_argument("--owner", type=int)
    imported.add_argument("--replace", action="store_true")
    export = key_commands.add_parser("export", help="plaintext CSV to stdout (audited)")
    export.add_argument("--owner", type=int)
    rewrap = key_commands.add_parser(
        "rewrap", help="re-wrap every data key under the first of MASTER_KEY=new,old (the app keeps serving)"
    )
    rewrap.add_argument("--batch", type=int, default=500, help="rows per transaction")
    keys.set_defaults(handler=command_keys)

    status = commands.add_parser(
        "status",
        help="per source and worker: host, group, last frame, frames ok/bad, messages, "
        "stored, refused, spool, lag, last report",
    )
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=command_status)

    demo = commands.add_parser("demo-ingest", help="feed the demo meters' frames through the worker")
    demo.add_argument("--days", type=int, default=30, help="how many recent days to feed (default 30)")
    demo.set_defaults(handler=command_demo_ingest)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command != "decode":
        logging.getLogger("app.ingest").debug("started %s", args.command)
    started = time.monotonic()
    code = args.handler(args)
    log.debug("%s finished in %.1f s", args.command, time.monotonic() - started)
    return code


if __name__ == "__main__":
    sys.exit(main())
