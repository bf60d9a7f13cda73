"""The ``koers`` command line: evaluate a scorecard headless, write the sample, print the schema,
back up and restore the workspace database.

Bad input ends with one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpilogic.errors import KoersError
from kpilogic.i18n import normalise_lang, t

if TYPE_CHECKING:
    from kpilogic.engine.evaluate import Evaluation
    from kpilogic.scorecard.model import Scorecard

EXIT_USAGE = 2
EXIT_INPUT = 1


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``koers``."""
    parser = argparse.ArgumentParser(prog="koers", description="Koers: KPIs from spreadsheets.")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="evaluate a scorecard over data files")
    ev.add_argument("data", nargs="+", type=Path, help="data files (xlsx, xls, xlsb, ods, csv)")
    ev.add_argument("--scorecard", required=True, type=Path, help="scorecard JSON file")
    ev.add_argument("--out", required=True, type=Path, help="output: .xlsx, .csv, .json or .pdf")
    ev.add_argument(
        "--as-of",
        type=_parse_date,
        default=None,
        help="evaluate as if on this date (YYYY-MM-DD); default: the last date in the data",
    )
    ev.add_argument(
        "--complete-through",
        type=_parse_date,
        default=None,
        help=(
            "the data is complete through this date (YYYY-MM-DD): a period ending on or "
            "before it is complete; overrides each dataset's complete_through; default: "
            "--as-of, else the last date in the data"
        ),
    )
    ev.add_argument(
        "--lang",
        default=None,
        help="language of messages and of the csv (en or nl); given, the csv names its columns "
        "and statuses in that language, else it keeps the machine-readable names",
    )
    ev.add_argument(
        "--allow-partial",
        action="store_true",
        help="write the report and exit 0 even when a KPI was skipped or nothing was evaluated "
        "(the warning is still printed)",
    )

    sample = sub.add_parser("sample", help="write the sample workbook and scorecard")
    sample.add_argument("directory", type=Path)

    sub.add_parser("schema", help="print the JSON Schema of a scorecard file")
    _add_store_commands(sub)
    _add_insights_command(sub)
    _add_goals_command(sub)
    _add_digest_command(sub)
    return parser


def _add_store_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``koers backup FILE`` and ``koers restore FILE`` (the workspace database)."""
    db_help = (
        "the Koers database: a file or postgresql://user@host/database"
        " (default: $KOERS_DB, else $KOERS_HOME/koers.sqlite3)"
    )
    backup = sub.add_parser("backup", help="copy the workspace database to FILE (online)")
    backup.add_argument("file", type=Path)
    backup.add_argument("--db", default=None, help=db_help)
    backup.add_argument("--lang", default="en", help="language of messages: en or nl")
    restore = sub.add_parser("restore", help="replace the workspace database by backup FILE")
    restore.add_argument("file", type=Path)
    restore.add_argument("--db", default=None, help=db_help)
    restore.add_argument(
        "--force", action="store_true", help="overwrite a database that holds workspaces"
    )
    restore.add_argument("--lang", default="en", help="language of messages: en or nl")
    _add_store_migrate(sub)


def _store_command(args: argparse.Namespace, lang: str) -> int:
    from kpilogic.workspace.store import Store, parse_location

    store = Store(parse_location(str(args.db)) if args.db is not None else None)
    if args.command == "backup":
        written = store.backup(args.file)
        count = len(store.list_workspaces()) + len(store.list_trash())
        print(t("cli.backup.written", lang, path=str(written), workspaces=count))
        return 0
    count = store.restore_from(args.file, force=args.force)
    print(t("cli.restore.done", lang, path=str(args.file), db=str(store.path), workspaces=count))
    return 0


def _evaluate(args: argparse.Namespace, lang: str) -> int:
    from kpilogic.present.files import write_summary

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".json", ".pdf"):
        _fail(t("cli.bad_out", lang, name=str(args.out)))
        return EXIT_USAGE
    loaded = _read_and_evaluate(args, lang)
    if loaded is None:
        return EXIT_INPUT
    scorecard, evaluation = loaded
    incomplete = _incomplete(evaluation, lang)
    if incomplete:
        # A skipped KPI or an empty result is a failed run for a scheduler: no report that
        # looks complete is written, unless the user accepts a partial one.
        _fail(
            incomplete
            + " "
            + t("trust.cli.partial_hint" if args.allow_partial else "trust.cli.refused", lang)
        )
        if not args.allow_partial:
            return EXIT_INPUT
    try:
        readable = args.lang is not None
        args.out.write_bytes(write_summary(evaluation, suffix, lang, readable=readable))
    except OSError as exc:
        _fail(t("cli.cannot_write", lang, name=str(args.out), detail=exc.strerror or exc))
        return EXIT_INPUT
    rows = len(evaluation.detail)
    print(t("cli.written", lang, name=str(args.out), rows=rows, kpis=len(scorecard.kpis)))
    return 0


def _incomplete(evaluation: Evaluation, lang: str) -> str:
    """Why the evaluation is not complete (KPIs skipped, no rows at all); '' when it is."""
    if evaluation.errors:
        return t(
            "trust.cli.skipped",
            lang,
            count=len(evaluation.errors),
            kpis=", ".join(evaluation.errors),
        )
    if evaluation.detail.empty:
        return t("trust.cli.empty", lang, kpis=len(evaluation.scorecard.kpis))
    return ""


def _unmatched_targets(scorecard: Scorecard, lang: str) -> bool:
    """Say which target keys match no period (each on its own line); True if any do."""
    from kpilogic.engine.evaluate import unmatched_targets

    problems = unmatched_targets(scorecard)
    for problem in problems:
        _fail(problem.message(lang))
    if problems:
        _fail(t("cli.targets_unmatched", lang, count=len(problems)))
    return bool(problems)


def _complete_through(scorecard: Scorecard, day: date) -> Scorecard:
    """``scorecard`` with every dataset complete through ``day`` (``--complete-through``)."""
    datasets = [ds.model_copy(update={"complete_through": day}) for ds in scorecard.datasets]
    return scorecard.model_copy(update={"datasets": datasets})


def _left_out_rows(evaluation: Evaluation, lang: str) -> None:
    """Name the rows each formula left out, per period (nothing is left out silently)."""
    detail = evaluation.detail
    if detail.empty:
        return
    left = detail[(detail["segment"] == "") & (detail["incomplete_rows"] > 0)]
    for row in left.itertuples():
        message = t(
            "cli.left_out",
            lang,
            kpi=row.kpi_id,
            count=row.incomplete_rows,
            period=row.period,
            columns=row.incomplete_columns,
        )
        print(message, file=sys.stderr)


def _fail(message: str) -> None:
    print(f"koers: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``koers``; returns the exit code."""
    args = build_parser().parse_args(argv)
    lang = normalise_lang(getattr(args, "lang", "en"))
    try:
        if args.command == "evaluate":
            return _evaluate(args, lang)
        if args.command in ("backup", "restore"):
            return _store_command(args, lang)
        if args.command == "store":
            return _store_migrate(args, lang)
        if args.command == "insights":
            return _insights(args, lang)
        if args.command == "goals":
            return _goals(args, lang)
        if args.command == "digest":
            return _digest(args, lang)
        if args.command == "scheduler":
            return _scheduler(args, lang)
        if args.command == "sample":
            from kpilogic.sample import write_sample

            for path in write_sample(args.directory):
                print(path)
            return 0
        from kpilogic.scorecard.model import json_schema

        print(json.dumps(json_schema(), indent=2))
        return 0
    except KoersError as exc:
        _fail(exc.message(lang))
        return EXIT_INPUT
    except OSError as exc:
        _fail(t("cli.os_error", lang, detail=str(exc)))
        return EXIT_INPUT


def _add_insights_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``koers insights DATA… --scorecard F [--as-of] [--period] [--lang]``."""
    ins = sub.add_parser("insights", help="print the most notable insights, one per line")
    ins.add_argument("data", nargs="+", type=Path, help="data files (xlsx, xls, xlsb, ods, csv)")
    ins.add_argument("--scorecard", required=True, type=Path, help="scorecard JSON file")
    ins.add_argument(
        "--as-of",
        type=_parse_date,
        default=None,
        help="evaluate as if on this date (YYYY-MM-DD); default: the last date in the data",
    )
    ins.add_argument(
        "--period",
        default=None,
        help="the period to look at (2025-12, 2025-Q4); default: each KPI's latest period",
    )
    ins.add_argument("--limit", type=int, default=5, help="how many insights at most (5)")
    ins.add_argument("--lang", default="en", help="language of the sentences: en or nl")


def _insights(args: argparse.Namespace, lang: str) -> int:
    """Evaluate and print the insights (``kpilogic.engine.insights``), one sentence per line."""
    from kpilogic.engine.insights import insight_text, insights
    from kpilogic.scorecard.periods import Period

    if args.period is not None:
        try:
            Period.parse(args.period)
        except ValueError:
            _fail(t("insight.cli.bad_period", lang, period=args.period))
            return EXIT_USAGE
    loaded = _read_and_evaluate(args, lang)
    if loaded is None:
        return EXIT_INPUT
    scorecard, evaluation = loaded
    found = insights(evaluation, args.period, max(args.limit, 0))
    for insight in found:
        print(insight_text(insight, scorecard, lang))
    if not found:
        print(t("insight.cli.none", lang))
    incomplete = _incomplete(evaluation, lang)
    if incomplete:
        _fail(incomplete)
        return EXIT_INPUT
    return 0


def _add_goals_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``koers goals DATA… --scorecard F --out goals.csv|json|xlsx [--as-of]``."""
    goals = sub.add_parser("goals", help="each goal's progress and forecast at its deadline")
    goals.add_argument("data", nargs="+", type=Path, help="data files (xlsx, xls, xlsb, ods, csv)")
    goals.add_argument("--scorecard", required=True, type=Path, help="scorecard JSON file")
    goals.add_argument("--out", required=True, type=Path, help="output: .csv, .json or .xlsx")
    goals.add_argument(
        "--as-of",
        type=_parse_date,
        default=None,
        help="evaluate as if on this date (YYYY-MM-DD); default: the last date in the data",
    )
    goals.add_argument(
        "--lang",
        default=None,
        help="language of messages and of the reason column (en or nl); nl writes the csv "
        "with ';' and decimal commas",
    )


def _goals(args: argparse.Namespace, lang: str) -> int:
    """One row per goal and one per goal × KPI: progress, target and forecast at the deadline."""
    from kpilogic.present.report import goals_file

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".json"):
        _fail(t("progress.cli.bad_out", lang, name=str(args.out)))
        return EXIT_USAGE
    loaded = _read_and_evaluate(args, lang)
    if loaded is None:
        return EXIT_INPUT
    scorecard, evaluation = loaded
    try:
        args.out.write_bytes(goals_file(evaluation, suffix, lang, args.as_of))
    except OSError as exc:
        _fail(t("cli.cannot_write", lang, name=str(args.out), detail=exc.strerror or exc))
        return EXIT_INPUT
    goals = len(scorecard.goals)
    print(
        t("progress.cli.written", lang, name=str(args.out), goals=goals, kpis=len(scorecard.kpis))
    )
    return 0


def _read_and_evaluate(args: argparse.Namespace, lang: str) -> tuple[Scorecard, Evaluation] | None:
    """``koers evaluate``/``insights``/``goals``: read the scorecard and the data files and
    evaluate them, saying on stderr what could not be read or evaluated; None when nothing
    can be shown."""
    from kpilogic.scorecard.model import Scorecard
    from kpilogic.workspace.service import evaluate_files

    try:
        text = args.scorecard.read_bytes()
    except OSError as exc:
        _fail(t("cli.cannot_open", lang, name=str(args.scorecard), detail=exc.strerror or exc))
        return None
    files: dict[str, bytes] = {}
    for path in args.data:
        try:
            files[path.name] = path.read_bytes()
        except OSError as exc:
            _fail(t("cli.cannot_open", lang, name=str(path), detail=exc.strerror or exc))
            return None
    scorecard = Scorecard.from_json(text)
    if _unmatched_targets(scorecard, lang):
        return None
    if getattr(args, "complete_through", None) is not None:
        scorecard = _complete_through(scorecard, args.complete_through)
    evaluation = evaluate_files(scorecard, files, args.as_of)
    for kpi_id, problem in evaluation.errors.items():
        print(t("cli.kpi_skipped", lang, kpi=kpi_id, detail=problem.message(lang)), file=sys.stderr)
    _left_out_rows(evaluation, lang)
    return scorecard, evaluation


def _add_digest_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``koers digest (DATA… --scorecard F | --workspace ID) [--as-of] [--lang] [--owner]
    --to … | --out-dir`` and ``koers scheduler [--today] [--out-dir]``."""
    dg = sub.add_parser("digest", help="the e-mail digest: send it, or write .eml files")
    dg.add_argument("data", nargs="*", type=Path, help="data files (xlsx, xls, xlsb, ods, csv)")
    dg.add_argument("--scorecard", type=Path, default=None, help="scorecard JSON file")
    dg.add_argument(
        "--workspace", default=None, help="a saved workspace's id instead of DATA and --scorecard"
    )
    dg.add_argument(
        "--as-of",
        type=_parse_date,
        default=None,
        help="evaluate as if on this date (YYYY-MM-DD); default: the last date in the data "
        "(--workspace: today)",
    )
    dg.add_argument("--lang", default="en", help="language of the digest: en or nl")
    dg.add_argument(
        "--owner", default=None, help="a KPI owner's name: their reminder (values due) first"
    )
    dg.add_argument("--to", nargs="+", default=[], help="send to these addresses ($KOERS_SMTP_URL)")
    _add_delivery_options(dg)
    sc = sub.add_parser("scheduler", help="send the digests that are due (for cron or a timer)")
    sc.add_argument(
        "--today", type=_parse_date, default=None, help="run as if on this date (YYYY-MM-DD)"
    )
    sc.add_argument("--lang", default="en", help="language of messages: en or nl")
    _add_delivery_options(sc)


def _add_delivery_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="sender", default="koers@localhost", help="sender address")
    parser.add_argument(
        "--out-dir", type=Path, default=None, help="write .eml files here instead of sending"
    )
    parser.add_argument(
        "--db",
        default=None,
        help="the Koers database: a file or postgresql://user@host/database "
        "(default: $KOERS_DB, else $KOERS_HOME/koers.sqlite3)",
    )


def _open_db(db: str | None) -> Any:
    """The store at ``--db`` (a file or a PostgreSQL URL), else the default one."""
    from kpilogic.workspace.store import Store, parse_location

    return Store(parse_location(db) if db is not None else None)


def _deliverer(args: argparse.Namespace, lang: str) -> Callable[[Sequence[Any]], None]:
    """Send through ``$KOERS_SMTP_URL``, or write ``.eml`` files to ``--out-dir``.

    Raises:
        MailError: no usable server set (checked before any work is done).
    """
    from kpilogic.workspace.mail import send, smtp_server, write_eml

    if args.out_dir is not None:
        folder: Path = args.out_dir

        def write(messages: Sequence[Any]) -> None:
            for path in write_eml(messages, folder):
                print(t("digest.cli.written", lang, path=str(path)))

        return write
    server = smtp_server()

    def deliver(messages: Sequence[Any]) -> None:
        send([message for _, message in messages], server)

    return deliver


def _digest(args: argparse.Namespace, lang: str) -> int:
    """Build the digest (``kpilogic.present.digest``) and send it or write it."""
    from email.utils import parseaddr

    from kpilogic.present.digest import build_digest, to_message
    from kpilogic.workspace.mail import SMTP_URL_ENV

    if bool(args.workspace) == bool(args.data or args.scorecard):
        _fail(t("digest.cli.which", lang))
        return EXIT_USAGE
    if not args.workspace and (not args.data or args.scorecard is None):
        _fail(t("digest.cli.which", lang))
        return EXIT_USAGE
    if not args.to and args.out_dir is None and not args.workspace:
        _fail(t("digest.cli.nowhere", lang, env=SMTP_URL_ENV))
        return EXIT_USAGE
    for address in [*args.to, args.sender]:
        if "@" not in parseaddr(address)[1]:
            _fail(t("error.mail.bad_address", lang, address=address))
            return EXIT_USAGE
    deliver = _deliverer(args, lang)  # a missing server is said before any work is done
    if args.workspace:
        return _workspace_digest(args, lang, deliver)
    loaded = _read_and_evaluate(args, lang)
    if loaded is None:
        return EXIT_INPUT
    scorecard, evaluation = loaded
    digest = build_digest(evaluation, lang, args.as_of, owner=args.owner)
    message = to_message(digest, args.sender, args.to or [args.sender])
    deliver([(digest.pdf_name.removesuffix(".pdf") + f"_{lang}", message)])
    if args.out_dir is None:
        print(t("digest.cli.sent", lang, name=scorecard.name, count=len(args.to)))
    return 0


def _workspace_digest(
    args: argparse.Namespace, lang: str, deliver: Callable[[Sequence[Any]], None]
) -> int:
    """``koers digest --workspace ID``: to ``--to`` in ``--lang``, else to the workspace's
    recipients, each in their own language."""
    from kpilogic.workspace.schedule import Recipient
    from kpilogic.workspace.scheduler import messages_for, plan_of, workspace_evaluation

    store = _open_db(args.db)
    day = args.as_of or date.today()
    evaluation = workspace_evaluation(store, args.workspace, day)
    if args.to:
        recipients = [Recipient(email=a, lang=lang, owner=args.owner) for a in args.to]
    else:
        recipients = plan_of(store.get_settings(args.workspace)).recipients
    if not recipients:
        _fail(t("digest.cli.no_recipients", lang))
        return EXIT_USAGE
    deliver(messages_for(evaluation, recipients, args.sender, day, args.workspace))
    if args.out_dir is None:
        name = evaluation.scorecard.name
        print(t("digest.cli.sent", lang, name=name, count=len(recipients)))
    return 0


def _scheduler(args: argparse.Namespace, lang: str) -> int:
    """``koers scheduler``: every digest that is due, once per period."""
    from kpilogic.workspace.scheduler import run_due

    deliver = _deliverer(args, lang)
    # Writing .eml files is a preview: nothing is recorded as sent.
    record = args.out_dir is None
    store = _open_db(args.db)
    done = run_due(store, args.today or date.today(), args.sender, deliver, record=record)
    failed = False
    for outcome in done:
        if outcome.reached:
            count = len(outcome.reached)
            ws, period = outcome.workspace_id, outcome.period
            print(t("digest.cli.scheduled", lang, workspace=ws, period=period, count=count))
        for problem in outcome.problems:
            failed = True
            said = problem.message(lang)
            _fail(
                t("digest.cli.workspace_failed", lang, workspace=outcome.workspace_id, detail=said)
            )
    if not done:
        print(t("digest.cli.none_due", lang))
    return EXIT_INPUT if failed else 0


def _add_store_migrate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``koers store migrate --from SOURCE --to TARGET [--replace]``."""
    store = sub.add_parser("store", help="the workspace database: copy it to another one")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    migrate = store_sub.add_parser(
        "migrate",
        help="copy every workspace (history, files, check-ins, members, audit log) from one "
        "database to another, SQLite or PostgreSQL, and verify the copy",
    )
    where = "sqlite:///path/to/koers.sqlite3, a path, or postgresql://user:password@host/db"
    migrate.add_argument("--from", dest="source", required=True, help=f"copy from: {where}")
    migrate.add_argument("--to", dest="target", required=True, help=f"copy to: {where}")
    migrate.add_argument(
        "--replace", action="store_true", help="replace the workspaces the target already holds"
    )
    migrate.add_argument("--lang", default="en", help="language of messages: en or nl")


def _store_migrate(args: argparse.Namespace, lang: str) -> int:
    from kpilogic.workspace.store import Store, copy_store, parse_location

    source_location = parse_location(args.source)
    if isinstance(source_location, Path) and not source_location.is_file():
        # Opening would create an empty database there: a typo must not look like success.
        _fail(t("cli.migrate.no_source", lang, path=str(source_location)))
        return EXIT_INPUT
    source = Store(source_location)
    target = Store(parse_location(args.target))
    report = copy_store(source, target, replace=args.replace)
    counts = report.counts
    print(
        t(
            "cli.migrate.done",
            lang,
            workspaces=counts["workspaces"],
            source=report.source,
            target=report.target,
            versions=counts["scorecard_versions"],
            files=counts["files"],
            checkins=counts["checkins"],
            members=counts["members"],
            audit=counts["audit"],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
