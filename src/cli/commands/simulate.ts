import { Command, Option } from "commander";
import type { ExchangeResult } from "../../core/client/exchange.js";
import type { LoadReport } from "../../core/client/load.js";
import { InputError } from "../../core/errors.js";
import type { XmlRecord } from "../../core/xml.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import { parsePositiveInt } from "../options.js";
import {
  addMessageFlags,
  checkNumericFlags,
  EVENT_NAMES_HELP,
  fieldsFromFlags,
  TYPE_ARGUMENT_HELP,
  takesArguments,
} from "../message-flags.js";
import type { Output } from "../output.js";
import type { Target } from "../../core/client/target.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../target.js";

/** The flags; the message fields' flags (MESSAGE_FLAGS) are read by name. */
interface SimulateOptions extends TargetFlags {
  from?: string;
  to?: string;
  msgId?: string;
  file?: string;
  retry?: boolean;
  count?: number;
  concurrency: number;
  duration?: number;
}

/**
 * Makes the message to send. With `fresh`, each call has its own MsgId and CreateTime
 * (events: their own sender unless --from), as load mode needs.
 */
type MessageFactory = (fresh: boolean) => XmlRecord | string;

function checkFlags(type: string | undefined, args: string[], o: SimulateOptions): void {
  if (o.file !== undefined) {
    const extra = [
      type !== undefined && "a message type",
      o.from !== undefined && "--from",
      o.to !== undefined && "--to",
      o.msgId !== undefined && "--msg-id",
    ].filter(Boolean);
    if (extra.length > 0)
      throw new InputError(`--file sends the file as written, so it takes no ${extra.join(", ")}`, {
        hint: "put those fields in the file, or drop --file",
      });
  }
  if (type !== undefined && !takesArguments(type) && type !== "event" && args.length > 0) {
    throw new InputError(`unexpected arguments after ${type}: ${args.join(" ")}`, {
      hint: "the fields of this type are flags; see wxdev simulate --help",
    });
  }
  if (o.msgId !== undefined && !/^\d{1,20}$/.test(o.msgId))
    throw new InputError(`--msg-id ${o.msgId} is not a number`, {
      hint: "MsgId is a 64-bit number, e.g. --msg-id 6054768590064713728",
    });
  checkNumericFlags(flagValues(o));
}

/** The flag values by option name, for the fields declared with a flag. */
const flagValues = (o: SimulateOptions): Readonly<Record<string, unknown>> => o as unknown as Record<string, unknown>;

async function messageFactory(
  type: string | undefined,
  args: string[],
  o: SimulateOptions,
  cli: Cli,
): Promise<MessageFactory> {
  checkFlags(type, args, o);
  const messages = await import("../../core/messages.js");
  if (o.file !== undefined) {
    const { readTextFile } = await import("../../core/read-file.js");
    const text = await (o.file === "-"
      ? cli.input("-", "message XML")
      : readTextFile(o.file, { hint: "check the --file path" }));
    const { parseXml } = await import("../../core/xml.js");
    const { makeTimestamp } = await import("../../core/signature.js");
    let record: XmlRecord | undefined;
    return (fresh) => {
      if (!fresh) return text;
      record ??= parseXml(text);
      const message: XmlRecord = { ...record, CreateTime: makeTimestamp() };
      if (record.MsgId !== undefined) message.MsgId = messages.randomMsgId();
      else message.FromUserName = messages.randomOpenId();
      return message;
    };
  }
  if (type === undefined)
    throw new InputError("missing message type", { hint: 'e.g. wxdev simulate text "hi", or --file message.xml' });
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
  const first = build(o.msgId); // bad input shows up now, not in the middle of a load run
  return (fresh) => (fresh ? build(undefined) : first);
}

/** `wxdev simulate`: send exactly what WeChat sends, judge the answer as WeChat would. */
export function simulateCommand(cli: Cli): Command {
  const command = addMessageFlags(
    addTargetOptions(new Command("simulate"))
      .argument("[type]", TYPE_ARGUMENT_HELP)
      .argument("[args...]", `text content, or the event name (${EVENT_NAMES_HELP})`),
  )
    .option("--from <openid>", "sender openid (default: a random one)")
    .option("--to <gh_id>", "account id (default: a random gh_ id)")
    .option("--msg-id <id>", "MsgId (default: a random 64-bit id)")
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
    .action(async (type: string | undefined, args: string[], options: SimulateOptions, self: Command) => {
      const out = cli.output(self);
      const target = await resolveTarget(cli, self, options);
      const { count, duration } = options;
      const loadMode = count !== undefined || duration !== undefined;
      if (loadMode && (options.retry || options.msgId !== undefined)) {
        throw new InputError(
          `load mode sends distinct MsgIds and does not retry: drop ${options.retry ? "--retry" : "--msg-id"}`,
          { hint: "or drop --count/--duration to send one message" },
        );
      }
      const makeMessage = await messageFactory(type, args, options, cli);
      if (loadMode) {
        return runLoadMode(cli, out, target, {
          count,
          duration,
          concurrency: options.concurrency,
          message: () => makeMessage(true),
        });
      }
      const message = makeMessage(false);
      const { send, sendWithRetry } = await import("../../core/client/exchange.js");
      const { renderExchange, exchangeJson } = await import("../render.js");
      let result: ExchangeResult;
      if (options.retry) {
        const retried = await sendWithRetry(target, message);
        result = retried.final;
        if (out.json)
          return finish(cli, out, result, { attempts: retried.attempts.length, consistent: retried.consistent });
        retried.attempts.forEach((attempt, index) => {
          out.line(out.c.dim(`attempt ${index + 1} of ${retried.attempts.length}`));
          renderExchange(out, attempt, target.mode);
        });
        out.line(retryVerdict(out, retried.attempts, retried.consistent));
      } else {
        result = await send(target, message);
        if (!out.json) renderExchange(out, result, target.mode);
      }
      if (out.json) out.printJson(exchangeJson(result));
      cli.exitCode = result.ok ? 0 : 1;
    });
  return withExamples(command, [
    'wxdev simulate text "hello" --url http://127.0.0.1:8013/wechat8013',
    "wxdev simulate event subscribe --key qrscene_42 --ticket T",
    "wxdev simulate location --lat 39.9 --lng 116.4 --label 天安门 --mode safe",
    "wxdev simulate text hi --count 2000 --concurrency 50",
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

async function finish(cli: Cli, out: Output, result: ExchangeResult, extra: Record<string, unknown>): Promise<void> {
  const { exchangeJson } = await import("../render.js");
  out.printJson({ ...exchangeJson(result), ...extra });
  cli.exitCode = result.ok ? 0 : 1;
}

async function runLoadMode(
  cli: Cli,
  out: Output,
  target: Target,
  load: { count?: number; duration?: number; concurrency: number; message: () => XmlRecord | string },
): Promise<void> {
  const { runLoad } = await import("../../core/client/load.js");
  const { startProgress } = await import("../progress.js");
  const { interruptSignal, INTERRUPTED_EXIT_CODE } = await import("../signals.js");
  const progress =
    cli.io.stderr.isTTY && !out.json
      ? await startProgress(load.count ?? 0, load.count === undefined ? "messages" : "messages sent")
      : undefined;
  // Ctrl-C stops the run and still reports what was measured, as autocannon does.
  const interrupt = interruptSignal();
  const report = await runLoad({
    // A queue builds under load: wait at least 10 s, so slow answers are counted rather than lost.
    target: { ...target, timeoutMs: Math.max(target.timeoutMs, 10_000) },
    concurrency: load.concurrency,
    count: load.count,
    durationS: load.duration,
    message: load.message,
    onProgress: (done) => progress?.update(done),
    signal: interrupt.signal,
  }).finally(interrupt.dispose);
  progress?.stop();
  const r = report.replies;
  const failures = r.invalid + r.cryptoFailures + r.timeouts + r.networkErrors + r.httpErrors + report.over5s;
  cli.exitCode = report.interrupted ? INTERRUPTED_EXIT_CODE : failures === 0 ? 0 : 1;
  if (out.json) return out.printJson({ ok: failures === 0, ...report });
  renderLoad(out, report, load.concurrency);
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
