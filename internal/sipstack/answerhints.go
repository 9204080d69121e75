package sipstack

import "github.com/emiago/sipgo/sip"

// answerHints returns req's headers by which a caller asks to be answered at
// once, each "Name: value" (Incoming.AnswerHints).
func answerHints(req *sip.Request) []string {
	var out []string
	for _, name := range []string{"Call-Info", "Answer-Mode", "Alert-Info"} {
		for _, h := range req.GetHeaders(name) {
			out = append(out, name+": "+h.Value())
		}
	}
	return out
}
