// conference.js: the controls of the engine's local conference, shown while there
// is one: Hold all and Resume all (conference.hold / conference.resume: every
// member, as Hold on a line does) and Split (conference.split: every member back to
// its own line, the selected one staying connected).
import { renderOn, reportTo } from "./dom.js";

export function mountConference(phone, { $ }) {
  const bar = $("#conference");
  const hold = $("#conf-hold");
  const resume = $("#conf-resume");
  const members = () => phone.state.lines.filter((c) => c.conference);

  renderOn(phone, ["call.state", "line.selected"], () => {
    const m = members();
    bar.hidden = m.length === 0;
    hold.hidden = !m.some((c) => !c.held);
    resume.hidden = !m.some((c) => c.held);
  });
  hold.addEventListener("click", () => phone.conferenceHold(true).catch(reportTo("Hold all failed")));
  resume.addEventListener("click", () => phone.conferenceHold(false).catch(reportTo("Resume all failed")));
  $("#conf-split").addEventListener("click", () => phone.conferenceSplit().catch(reportTo("Split failed")));
}
