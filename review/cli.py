"""`hocba review serve|user ...` and `hocba audit verify`. Typed errors: one line, exit 2."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from domain.errors import HocbaError
from review.db import Pool
from review.security import ROLES, ReviewError


def _dsn() -> str:
    from pipelines.batch import database_dsn
    from pipelines.settings import load_settings

    return database_dsn(load_settings())


def _pool() -> Pool:
    return Pool(_dsn(), size=1)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu (>= 12 ký tự): ")
    if getpass.getpass("Nhập lại: ") != first:
        raise ReviewError("passwords differ", hint="type the same password twice")
    return first


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pipelines.settings import load_settings
    from pipelines.storage import open_store
    from review.app import ReviewConfig, create_app

    settings = load_settings()
    secure = args.secure_cookies or bool(args.ssl_certfile) or settings.env == "production"
    config = ReviewConfig(_dsn(), secure_cookies=secure, store=open_store(settings))
    print(f"hocba review: http{'s' if args.ssl_certfile else ''}://{args.host}:{args.port}/")
    uvicorn.run(
        create_app(config), host=args.host, port=args.port, log_level="warning",
        ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile, server_header=False,
    )  # fmt: skip
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from review import accounts

    account = accounts.add_account(
        _pool(), args.username, args.name or args.username, args.role, _password(args),
        province=args.province, district=args.district, school=args.school,
    )  # fmt: skip
    print(f"created {account.username} ({account.role}, scope: {account.scope_label})")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from review import accounts

    for a in accounts.list_accounts(_pool()):
        print(f"{a.username}\t{a.role}\t{a.scope_level}\t{a.scope_label}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from review import accounts

    accounts.set_password(_pool(), args.username, _password(args))
    print(f"password of {args.username} changed; lock-out cleared")
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    from review import accounts

    accounts.set_active(_pool(), args.username, args.action == "enable")
    print(f"{args.username}: {args.action}d")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hocba review", description="Review workbench")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--ssl-certfile")
    serve.add_argument("--ssl-keyfile")
    serve.add_argument("--secure-cookies", action="store_true",
                       help="mark cookies Secure (behind an https proxy)")  # fmt: skip
    serve.set_defaults(func=cmd_serve)
    user = sub.add_parser("user", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    add = user.add_parser("add")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--name", help="display name")
    add.add_argument("--province")
    add.add_argument("--district")
    add.add_argument("--school")
    add.add_argument("--password-stdin", action="store_true")
    add.set_defaults(func=cmd_user_add)
    user.add_parser("list").set_defaults(func=cmd_user_list)
    passwd = user.add_parser("passwd")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=cmd_user_passwd)
    for action in ("disable", "enable"):
        toggle = user.add_parser(action)
        toggle.add_argument("username")
        toggle.set_defaults(func=cmd_user_active)
    return p


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from review.audit import verify_chain
    from review.db import audit_rows

    expect = _head(args.expect_head) if args.expect_head else None
    pool = Pool(_dsn(), size=1)
    with pool.tx() as conn:
        report = verify_chain(audit_rows(conn), expect)
    pool.close()
    if not report.ok:
        print(f"audit log BROKEN at entry {report.broken_seq}: {report.problem}; "
              f"{report.checked} entries before it are intact")  # fmt: skip
        return 1
    print(f"audit log OK: {report.checked} entries; head {report.head_seq}:{report.head_hash}")
    return 0


def _head(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise ReviewError("bad --expect-head", hint="pass SEQ:HASH as printed by audit verify")
    return int(seq), digest


def _audit_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hocba audit", description="Audit log")
    sub = p.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="walk the hash chain, report the first broken link")
    verify.add_argument("--expect-head", help="SEQ:HASH recorded earlier (detects a cut tail)")
    verify.set_defaults(func=cmd_audit_verify)
    return p


def _run(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except HocbaError as exc:
        print(f"error [{exc.code}]: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str]) -> int:
    return _run(_parser(), argv)


def audit_main(argv: list[str]) -> int:
    return _run(_audit_parser(), argv)


if __name__ == "__main__":
    if sys.argv[1:2] == ["audit"]:
        raise SystemExit(audit_main(sys.argv[2:]))
    raise SystemExit(main(sys.argv[1:]))
