// A tiny SIP user agent server on 127.0.0.1 for tests that need a callee without
// a registrar: it rings, answers (or is busy), answers re-INVITEs, and reports the
// RFC 4733 DTMF digits it receives over RTP, and answers a REFER with referStatus. It also accepts any REGISTER, so that an
// account can point at it, and with srtp it takes an offered SDES key (RFC 4568). It
// answers a MESSAGE with messageStatus, keeping its text, and sends one with message().
import dgram from "node:dgram";
import { randomBytes } from "node:crypto";

const header = (msg, name) => (msg.match(new RegExp(`^(?:${name}):.*$`, "mi")) || [""])[0];

/**
 * Starts the UAS. mode: "answer" (180, then 200 after ringMs), "busy" (486) or "ring"
 * (180 until a CANCEL, which ends the INVITE with 487); srtp:
 * answer an offer's first a=crypto line with a key of the same suite.
 */
export async function startUAS({ mode = "answer", ringMs = 200, srtp = false } = {}) {
  const sip = dgram.createSocket("udp4");
  const rtp = dgram.createSocket("udp4");
  await new Promise((r) => sip.bind(0, "127.0.0.1", r));
  await new Promise((r) => rtp.bind(0, "127.0.0.1", r));
  const uas = { port: sip.address().port, rtpPort: rtp.address().port, digits: "", invites: [], byes: 0, refers: [], referStatus: "202 Accepted",
    messages: [], messageStatus: "200 OK", messageAnswers: [] };
  let dtmfPT = 101;
  let lastEnd = -1;
  let version = 1;

  rtp.on("message", (buf) => {
    if (buf.length < 16 || (buf[1] & 0x7f) !== dtmfPT) return;
    const ts = buf.readUInt32BE(4);
    const end = (buf[13] & 0x80) !== 0;
    if (end && ts !== lastEnd) {
      lastEnd = ts;
      uas.digits += "0123456789*#ABCD"[buf[12]] ?? "?";
    }
  });

  const sdp = (direction, offer = "") => {
    const crypto = srtp && offer.match(/^a=crypto:(\d+) (AES_CM_128_HMAC_SHA1_(?:80|32)) /m);
    return [
      "v=0", `o=uas 1 ${version++} IN IP4 127.0.0.1`, "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
      `m=audio ${uas.rtpPort} RTP/AVP 0 ${dtmfPT}`, "a=rtpmap:0 PCMU/8000", `a=rtpmap:${dtmfPT} telephone-event/8000`,
      `a=fmtp:${dtmfPT} 0-16`, `a=${direction}`,
      ...(crypto ? [`a=crypto:${crypto[1]} ${crypto[2]} inline:${randomBytes(30).toString("base64")}`] : []), "",
    ].join("\r\n");
  };

  const reply = (msg, rinfo, status, { tag = "uas1", body = "", extra } = {}) => {
    const to = header(msg, "To|t");
    const lines = [`SIP/2.0 ${status}`, header(msg, "Via|v"), header(msg, "From|f"),
      /;tag=/.test(to) ? to : `${to};tag=${tag}`, header(msg, "Call-ID|i"), header(msg, "CSeq"),
      ...(extra || [`Contact: <sip:uas@127.0.0.1:${uas.port}>`])];
    if (body) lines.push("Content-Type: application/sdp");
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`, "", body);
    sip.send(lines.join("\r\n"), rinfo.port, rinfo.address);
  };

  // Outgoing: one INVITE from this agent to target (host:port), ACKed when answered.
  const outgoing = { state: "idle", callId: "" };
  uas.outgoing = outgoing;
  uas.invite = (target, { from = "caller", name = "Caller" } = {}) => {
    const [host, port] = target.split(":");
    outgoing.callId = `uac-${Date.now()}@127.0.0.1`;
    outgoing.target = { host, port: Number(port) };
    outgoing.from = `"${name}" <sip:${from}@127.0.0.1:${uas.port}>;tag=uac1`;
    outgoing.to = `<sip:engine@${target}>`;
    outgoing.state = "calling";
    const body = sdp("sendrecv");
    const msg = [`INVITE sip:engine@${target} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${uas.port};branch=z9hG4bK-uac-${Date.now()};rport`,
      "Max-Forwards: 70", `From: ${outgoing.from}`, `To: ${outgoing.to}`, `Call-ID: ${outgoing.callId}`, "CSeq: 1 INVITE",
      `Contact: <sip:${from}@127.0.0.1:${uas.port}>`, "Content-Type: application/sdp", `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n");
    sip.send(msg, outgoing.target.port, host);
  };

  const ack = (res) => {
    const to = header(res, "To|t").replace(/^(To|t):\s*/i, "");
    const contact = (res.match(/^(?:Contact|m):.*<([^>]+)>/mi) || [])[1] || `sip:engine@${outgoing.target.host}:${outgoing.target.port}`;
    const msg = [`ACK ${contact} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${uas.port};branch=z9hG4bK-ack-${Date.now()};rport`,
      "Max-Forwards: 70", `From: ${outgoing.from}`, `To: ${to}`, `Call-ID: ${outgoing.callId}`, "CSeq: 1 ACK", "Content-Length: 0", "", ""].join("\r\n");
    sip.send(msg, outgoing.target.port, outgoing.target.host);
  };

  // A MESSAGE from this agent to target (host:port) with text; its answer's status
  // code lands in messageAnswers.
  uas.message = (target, text, { from = "caller", contentType = "text/plain;charset=UTF-8" } = {}) => {
    const [host, port] = target.split(":");
    const body = Buffer.from(text);
    const msg = Buffer.concat([Buffer.from([`MESSAGE sip:engine@${target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${uas.port};branch=z9hG4bK-msg-${randomBytes(6).toString("hex")};rport`,
      "Max-Forwards: 70", `From: <sip:${from}@127.0.0.1:${uas.port}>;tag=m${randomBytes(4).toString("hex")}`,
      `To: <sip:engine@${target}>`, `Call-ID: msg-${randomBytes(8).toString("hex")}@127.0.0.1`, "CSeq: 1 MESSAGE",
      `Content-Type: ${contentType}`, `Content-Length: ${body.length}`, "", ""].join("\r\n")), body]);
    sip.send(msg, Number(port), host);
  };

  sip.on("message", (buf, rinfo) => {
    const msg = buf.toString();
    const method = msg.split(" ", 1)[0];
    if (method === "SIP/2.0") {
      const code = Number(msg.split(" ", 3)[1]);
      if (header(msg, "CSeq").includes("MESSAGE")) {
        uas.messageAnswers.push(code);
        return;
      }
      if (!header(msg, "CSeq").includes("INVITE") || !msg.includes(outgoing.callId)) return;
      if (code === 180 || code === 183) outgoing.state = "ringing";
      if (code >= 200 && code < 300) {
        outgoing.state = "answered";
        ack(msg);
      } else if (code >= 300) {
        outgoing.state = `failed ${code}`;
      }
      return;
    }
    if (method === "INVITE") {
      const pt = msg.match(/a=rtpmap:(\d+) telephone-event/i);
      if (pt) dtmfPT = Number(pt[1]);
      const inDialog = /;tag=/.test(header(msg, "To|t"));
      uas.invites.push(msg);
      if (inDialog) {
        const dir = /a=sendonly/.test(msg) ? "recvonly" : /a=inactive/.test(msg) ? "inactive" : "sendrecv";
        reply(msg, rinfo, "200 OK", { body: sdp(dir, msg) });
        return;
      }
      if (mode === "busy") {
        reply(msg, rinfo, "486 Busy Here");
        return;
      }
      reply(msg, rinfo, "180 Ringing");
      if (mode === "ring") return;
      setTimeout(() => reply(msg, rinfo, "200 OK", { body: sdp("sendrecv", msg) }), ringMs);
    } else if (method === "BYE") {
      uas.byes++;
      if (msg.includes(outgoing.callId)) outgoing.state = "ended";
      reply(msg, rinfo, "200 OK");
    } else if (method === "MESSAGE") {
      uas.messages.push(buf.subarray(buf.indexOf("\r\n\r\n") + 4).toString());
      reply(msg, rinfo, uas.messageStatus);
    } else if (method === "REFER") {
      uas.refers.push(msg);
      reply(msg, rinfo, uas.referStatus);
    } else if (method === "REGISTER") {
      uas.registers = (uas.registers || 0) + 1;
      reply(msg, rinfo, "200 OK", { extra: [header(msg, "Contact|m"), "Expires: 300"] });
    } else if (method === "CANCEL" || method === "OPTIONS") {
      reply(msg, rinfo, "200 OK");
      const callId = header(msg, "Call-ID|i");
      const invite = method === "CANCEL" && mode === "ring" && uas.invites.find((m) => header(m, "Call-ID|i") === callId);
      if (invite) reply(invite, rinfo, "487 Request Terminated");
    }
  });

  uas.uri = `sip:uas@127.0.0.1:${uas.port}`;
  uas.close = () => {
    sip.close();
    rtp.close();
  };
  return uas;
}
