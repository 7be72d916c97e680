import { Command, Option } from "commander";
import type { ExchangeResult } from "../../../core/client/exchange.js";
import type { LoadReport } from "../../../core/client/load.js";
import { InputError } from "../../../core/support/errors.js";
import type { XmlRecord } from "../../../core/wire/xml.js";
import type { Cli } from "../../context.js";
import { withExamples } from "../../help.js";
import { ExitCode, exitCodeFor } from "../../exit-code.js";
import { parsePositiveInt } from "../../options.js";
import {
  addMessageFlags,
  EVENT_NAMES_HELP,
  fieldsFromFlags,
  TYPE_ARGUMENT_HELP,
} from "../../messages/message-flags.js";
import type { Output } from "../../output.js";
import type { Target } from "../../../core/client/target.js";
import type { Mode } from "../../../core/wire/modes.js";
import { parseSimulateArgs, type SendPlan, type SimulateFlags } from "./args.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../../messages/target.js";

/** The flags; the message fields' flags (MESSAGE_FLAGS) are read by name. */
interface SimulateOptions extends TargetFlags, SimulateFlags {}

/**
 * The message to send once, and a fresh one per send for load mode: its own MsgId and CreateTime
 * (events: their own sender unless --from).
 */
interface Messages {
  first: XmlRecord | string;
  fresh: () => XmlRecord | string;
}

/** The flag values by option name, for the fields declared with a flag. */
const flagValues = (o: SimulateOptions): Readonly<Record<string, unknown>> => o as unknown as Record<string, unknown>;

async function messagesFromFile(cli: Cli, file: string): Promise<Messages> {
  const { readTextFile } = await import("../../../core/support/read-file.js");
  const { randomMsgId, randomOpenId } = await import("../../../core/wire/messages.js");
  const { parseXml } = await import("../../../core/wire/xml.js");
  const { makeTimestamp } = await import("../../../core/wire/signature.js");
  const text = await (file === "-"
    ? cli.input("-", "message XML")
    : readTextFile(file, { hint: "check the --file path" }));
  let record: XmlRecord | undefined;
  const fresh = (): XmlRecord => {
    record ??= parseXml(text);
    const message: XmlRecord = { ...record, CreateTime: makeTimestamp() };
    if (record.MsgId !== undefined) message.MsgId = randomMsgId();
    else message.FromUserName = randomOpenId();
    return message;
  };
  return { first: text, fresh };
}

async function buildMessages(type: string, args: string[], o: SimulateOptions): Promise<Messages> {
  const messages = await import("../../../core/wire/messages.js");
  const header = { fromUserName: o.from, toUserName: o.to ?? messages.randomAccountId() };
  let build: (msgId: string | undefined) => XmlRecord;
  if (type === "event") {
    const [event, ...rest] = args;
    if (event === undefined)
      throw new InputError("simulate event needs the event name", { hint: "e.g. wxdev simulate event subscribe" });
    if (rest.length > 0)
      throw new InputError(`unexpected arguments: ${rest.join(" ")}`, {
        hint: "use --key and --ticket for the event's fields",
      });
    const fields = fieldsFromFlags(`event:${event}`, [], flagValues(o));
    build = () => messages.buildEvent(event, fields, header);
  } else {
    const fields = fieldsFromFlags(type, args, flagValues(o));
    build = (msgId) => messages.buildMessage(type, fields, { ...header, msgId });
  }
  // Built now, so bad input shows up before anything is sent, not in the middle of a load run.
  return { first: build(o.msgId), fresh: () => build(undefined) };
}

/** What simulate saw: one exchange, the attempts of a retried one, or a load run's report. */
type SimulateOutcome =
  | { kind: "once"; mode: Mode; result: ExchangeResult }
  | { kind: "retry"; mode: Mode; attempts: ExchangeResult[]; consistent: boolean | null; final: ExchangeResult }
  | { kind: "load"; report: LoadReport; concurrency: number };

async function runSimulate(
  target: Target,
  plan: Exclude<SendPlan, { kind: "replay" }>,
  messages: Messages,
  showProgress: boolean,
): Promise<SimulateOutcome> {
  if (plan.kind === "load") return runLoadMode(target, plan, messages.fresh, showProgress);
  const { send, sendWithRetry } = await import("../../../core/client/exchange.js");
  if (!plan.retry) return { kind: "once", mode: target.mode, result: await send(target, messages.first) };
  const retried = await sendWithRetry(target, messages.first);
  return { kind: "retry", mode: target.mode, ...retried };
}

/** A load run fails when any message went unanswered, wrongly answered, or answered after 5 s. */
function loadFailures(report: LoadReport): number {
  const r = report.replies;
  return r.invalid + r.cryptoFailures + r.timeouts + r.networkErrors + r.httpErrors + report.over5s;
}

function simulateExitCode(outcome: SimulateOutcome): ExitCode {
  if (outcome.kind === "once") return exitCodeFor(outcome.result.ok);
  if (outcome.kind === "retry") return exitCodeFor(outcome.final.ok);
  return outcome.report.interrupted ? ExitCode.Interrupted : exitCodeFor(loadFailures(outcome.report) === 0);
}

async function printSimulate(out: Output, outcome: SimulateOutcome): Promise<void> {
  if (outcome.kind === "load") {
    if (out.json) return out.printJson({ ok: loadFailures(outcome.report) === 0, ...outcome.report });
    return renderLoad(out, outcome.report, outcome.concurrency);
  }
  const { renderExchange, exchangeJson } = await import("../../messages/render.js");
  if (outcome.kind === "once") {
    if (out.json) return out.printJson(exchangeJson(outcome.result));
    return renderExchange(out, outcome.result, outcome.mode);
  }
  const { attempts, consistent, final } = outcome;
  if (out.json) return out.printJson({ ...exchangeJson(final), attempts: attempts.length, consistent });
  attempts.forEach((attempt, index) => {
    out.line(out.c.dim(`attempt ${index + 1} of ${attempts.length}`));
    renderExchange(out, attempt, outcome.mode);
  });
  out.line(retryVerdict(out, attempts, consistent));
}

/** `wxdev simulate`: send exactly what WeChat sends, judge the answer as WeChat would. */
export function simulateCommand(cli: Cli): Command {
  const command = addMessageFlags(
    addTargetOptions(new Command("simulate"))
      .argument("[type]", TYPE_ARGUMENT_HELP)
      .argument("[args...]", `text content, or the event name (${EVENT_NAMES_HELP})`)
      // Declared before the message flags, which also name it for the job-finish events' MsgID.
      .option("--msg-id <id>", "MsgId (default: a random 64-bit id) / event: the job's MsgID"),
  )
    .option("--from <openid>", "sender openid (default: a random one)")
    .option("--to <gh_id>", "account id (default: a random gh_ id)")
    .option("--file <file>", "send this hand-written message XML instead (- for stdin)")
    .option("--retry", "on timeout, resend the same message up to 3 times as WeChat does")
    .addOption(new Option("--count <n>", "load mode: send n messages (distinct MsgIds)").argParser(parsePositiveInt))
    .addOption(
      new Option("--concurrency <c>", "load mode: connections in parallel").argParser(parsePositiveInt).default(10),
    )
    .addOption(
      new Option("--duration <seconds>", "load mode: send for this long instead of --count").argParser(
        parsePositiveInt,
      ),
    )
    .option(
      "--replay <file>",
      "send a recording (wxdev tunnel --record) again, each record in its recorded mode," +
        " and compare the answers (- for stdin)",
    )
    .action(async (type: string | undefined, args: string[], options: SimulateOptions, self: Command) => {
      const out = cli.output(self);
      // The arguments first: a mistyped type is named before any missing setting.
      const plan = parseSimulateArgs(type, args, options);
      const target = await resolveTarget(cli, self, options);
      if (plan.kind === "replay") {
        const { runReplay } = await import("./replay-run.js");
        cli.exitCode = await runReplay(cli, out, target, plan.file);
        return;
      }
      const messages =
        options.file !== undefined
          ? await messagesFromFile(cli, options.file)
          : await buildMessages(type ?? "", args, options);
      const outcome = await runSimulate(target, plan, messages, cli.io.stderr.isTTY === true && !out.json);
      await printSimulate(out, outcome);
      cli.exitCode = simulateExitCode(outcome);
    });
  return withExamples(command, [
    'wxdev simulate text "hello" --url http://127.0.0.1:8013/wechat8013',
    "wxdev simulate event subscribe --key qrscene_42 --ticket T",
    "wxdev simulate event location_select --lat 31.2 --lng 121.5 --label 外滩",
    "wxdev simulate event pic_weixin --pic-md5 1b5f7c23b5bf75682a53e7b6d163e185 --pic-md5 2a6f…",
    "wxdev simulate location --lat 39.9 --lng 116.4 --label 天安门 --mode safe",
    "wxdev simulate text hi --count 2000 --concurrency 50",
    "wxdev simulate --replay traffic.ndjson --url http://127.0.0.1:8013/wechat8013",
  ]);
}

function retryVerdict(out: Output, attempts: ExchangeResult[], consistent: boolean | null): string {
  if (attempts.length === 1) {
    return attempts[0]?.replyKind === "failed"
      ? "   no retry: WeChat retries only after a timeout"
      : "   answered in time: WeChat would not retry";
  }
  if (consistent === null)
    return out.c.yellow(`   ${attempts.length} attempts but fewer than two answers: nothing to compare`);
  return consistent
    ? "   the server answered the retries consistently"
    : out.bad("   the retries got different answers: the message was handled more than once");
}

async function runLoadMode(
  target: Target,
  plan: Extract<SendPlan, { kind: "load" }>,
  message: () => XmlRecord | string,
  showProgress: boolean,
): Promise<SimulateOutcome> {
  const { runLoad } = await import("../../../core/client/load.js");
  const { startProgress } = await import("../../terminal/progress.js");
  const { onStop } = await import("../../on-stop.js");
  const progress = showProgress
    ? await startProgress(plan.count ?? 0, plan.count === undefined ? "messages" : "messages sent")
    : undefined;
  // Ctrl-C stops the run and still reports what was measured, as autocannon does.
  const interrupt = onStop({ terminate: false });
  const report = await runLoad({
    // A queue builds under load: wait at least 10 s, so slow answers are counted rather than lost.
    target: { ...target, timeoutMs: Math.max(target.timeoutMs, 10_000) },
    concurrency: plan.concurrency,
    count: plan.count,
    durationS: plan.duration,
    message,
    onProgress: (done) => progress?.update(done),
    signal: interrupt.signal,
  }).finally(interrupt.dispose);
  progress?.stop();
  return { kind: "load", report, concurrency: plan.concurrency };
}

function renderLoad(out: Output, report: LoadReport, concurrency: number): void {
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  const r = report.replies;
  if (report.interrupted) out.note("interrupted (Ctrl-C): the report covers the messages answered so far");
  out.table([
    ["messages", `${report.sent} in ${report.seconds.toFixed(2)} s with ${concurrency} connections`],
    ["throughput", `${report.requestsPerSecond.toFixed(0)} messages/s`],
    [
      "latency",
      `p50 ${ms(report.latencyMs.p50)}  p90 ${ms(report.latencyMs.p90)}  ` +
        `p99 ${ms(report.latencyMs.p99)}  max ${ms(report.latencyMs.max)}`,
    ],
    [
      "over 5 s",
      report.over5s === 0 ? out.ok("0") : out.bad(`${report.over5s} (each a retry and an error screen in WeChat)`),
    ],
    [
      "status codes",
      Object.entries(report.statusCodes)
        .map(([code, n]) => `${code}: ${n}`)
        .join(", "),
    ],
    ["replies", `valid XML ${r.validXml}, success ${r.success}, empty ${r.empty}, invalid ${r.invalid}`],
    [
      "failures",
      `signature/decryption ${r.cryptoFailures}, timeouts ${r.timeouts}, ` +
        `network ${r.networkErrors}, HTTP errors ${r.httpErrors}`,
    ],
  ]);
}
