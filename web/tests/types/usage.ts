// Compiled (not run) by tests/types.test.mjs: the declarations describe the library
// as an integrator uses it, and wrong uses do not compile.
import { connect, probe, WpsError, type CallState, type Status } from "../../lib/wpservice.js";

async function main(): Promise<void> {
  const phone = connect({ ports: [18620], secure: "auto", subscribe: { levels: true } });
  const state = await phone.ready;
  const lines: CallState[] = state.lines;
  phone.on("call.state", (c) => {
    const held: boolean = c.held;
    const s: CallState["state"] = c.state;
    void held;
    void s;
  });
  phone.on("status", (s: Status) => void s);
  phone.on("audio.level", (l) => void (l.input + l.output));
  const { line, callId } = await phone.dial("1002", { headers: { "X-CRM-Id": "42" } });
  await phone.dtmf("123#", callId);
  await phone.hold(true, line);
  const st = await phone.stats(callId);
  const mos: number = st.mos + st.lossPct + st.jitterMs + st.rttMs;
  await phone.subscribe({ levels: true, statsInterval: 5 });
  phone.on("call.stats", (d) => void d.calls.map((c) => c.mos));
  phone.on("call.state", (c) => void c.stats?.mos);
  void mos;
  await phone.hangup({ all: true });
  const page = await phone.listHistory({ limit: 20, peer: "bob" });
  const missed: boolean = page.calls.some((r) => r.direction === "incoming" && !r.answeredAt);
  if (page.next) await phone.listHistory({ before: page.next });
  phone.on("call.cdr", (r) => void (r.endedBy === "remote" && r.durationMs));
  await phone.deleteHistory(page.calls[0].id);
  void missed;
  const { id: chatId } = await phone.sendChat("bob", "Grüße 👋");
  phone.on("chat.status", (s) => void (s.id === chatId && s.state === "delivered"));
  phone.on("chat.message", (m) => void (m.direction === "incoming" && m.text.length));
  const unread: number = phone.state.unreadMessages + (await phone.conversations()).unread;
  const thread = await phone.listChat({ peer: "bob@pbx.example.com", limit: 20 });
  if (thread.next) await phone.listChat({ peer: "bob@pbx.example.com", before: thread.next });
  await phone.readChat("bob@pbx.example.com");
  await phone.deleteChat(thread.messages[0].id);
  void unread;
  const devices = await phone.setVolume({ input: 40 });
  const vol: number = devices.inputVolume;
  const p = await probe();
  const lna: "granted" | "prompt" | "denied" | "unsupported" = p.lna;
  try {
    await phone.send("status");
  } catch (e) {
    if (e instanceof WpsError) void e.code;
  }
  void lines;
  void vol;
  void lna;
  // @ts-expect-error: dial needs a target
  await phone.dial();
  // @ts-expect-error: statuses are a closed set
  const bad: Status = "online";
  void bad;
}

void main;

import { webphone_api } from "../../lib/webphone_api.js";

export function mizu(): void {
  webphone_api.setparameter("serveraddress", "pbx.example.com");
  webphone_api.onCallStateChange((event, direction, peername, _display, line) => {
    const outgoing: boolean = direction === 1;
    void [event, outgoing, peername, line];
  });
  webphone_api.onCdr(null);
  webphone_api.getdevicelist(0, (names) => void names.split("\r\n"));
  const line: number = webphone_api.getline();
  const engine: "ns" = webphone_api.getenginename();
  void [line, engine];
  // @ts-expect-error: setvolume takes a device and a volume
  webphone_api.setvolume("loud");
}
