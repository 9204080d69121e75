package phone

import (
	"log/slog"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/media"
)

// MediaOpener returns the Config.Media function that opens real RTP sessions, each on
// the local address its call uses. With a stunServer ("host:port"; "" for none),
// each session asks it, from its RTP socket, for its public address, which the
// call's SDP then carries; an engine behind a NAT needs it for the peer's RTP to
// reach it. Its RTCP socket asks too, for the SDP's a=rtcp. The function returns once the ports are bound; the stream is Ready
// when the STUN server answered or gave up. Its jitter buffer's delay adapts
// within jitterMin and jitterMax (zero: the media package's defaults).
func MediaOpener(log *slog.Logger, stunServer string, jitterMin, jitterMax time.Duration) func(localIP string) (Stream, error) {
	frame := audio.FrameMillis * time.Millisecond
	minFrames, maxFrames := int(jitterMin/frame), int(jitterMax/frame)
	return func(localIP string) (Stream, error) {
		s, err := media.Bind(media.Config{
			LocalIP: localIP, Logger: log, STUNServer: stunServer, STUNRTCP: true,
			JitterMinTarget: minFrames, JitterMaxTarget: maxFrames,
		})
		if err != nil {
			return nil, err
		}
		return mediaStream{s}, nil
	}
}

// mediaStream adapts *media.Stream to Stream.
type mediaStream struct{ *media.Stream }

func (m mediaStream) Start(p MediaParams) error {
	var onDTMF func(media.DTMF)
	if p.OnDTMF != nil {
		onDTMF = func(d media.DTMF) { p.OnDTMF(d.Digit, d.Duration) }
	}
	return m.Stream.Start(media.Params{
		Remote: p.Remote, RemoteRTCP: p.RemoteRTCP, Codec: p.Codec, PayloadType: p.PayloadType,
		DTMFPayloadType: p.DTMFPayloadType, CNPayloadType: p.CNPayloadType, OnDTMF: onDTMF, SRTP: p.SRTP, RTCPMux: p.RTCPMux, PacketTime: p.PacketTime,
	})
}
