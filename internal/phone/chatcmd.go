package phone

import (
	"context"

	"github.com/wpservice/wpservice/internal/api"
)

// chatHandlers answer the chat commands. chat.send starts on the actor, which
// knows the account; the others run off it, on the store's goroutine, as the
// history commands do, and post the unread count they leave to the actor.
func (p *Phone) chatHandlers() []api.Handler {
	return []api.Handler{
		onActorLater(p, api.CmdChatSend, p.chatSend),
		api.Handle(api.CmdChatList, func(ctx context.Context, a *api.ChatListArgs) (api.ChatPage, error) {
			args := *a
			if args.Account != "" {
				aor, err := p.chatAccount(ctx, args.Account)
				if err != nil {
					return api.ChatPage{}, err
				}
				args.Account = aor
			}
			if args.Peer != "" {
				peer, err := p.chatPeer(args.Peer)
				if err != nil {
					return api.ChatPage{}, err
				}
				args.Peer = peer
			}
			if p.cfg.Chat == nil {
				return api.ChatPage{}, ErrNoChat
			}
			return p.cfg.Chat.ListMessages(ctx, args)
		}),
		api.Handle(api.CmdChatConversations, func(ctx context.Context, a *api.ChatConversationsArgs) (api.Conversations, error) {
			args := *a
			if args.Account != "" {
				aor, err := p.chatAccount(ctx, args.Account)
				if err != nil {
					return api.Conversations{}, err
				}
				args.Account = aor
			}
			if p.cfg.Chat == nil {
				return api.Conversations{}, ErrNoChat
			}
			return p.cfg.Chat.Conversations(ctx, args)
		}),
		api.Handle(api.CmdChatRead, func(ctx context.Context, a *api.ChatPeerArgs) (api.ChatChanged, error) {
			if a.Peer == "" {
				return api.ChatChanged{}, api.BadArg("peer", "must name a conversation")
			}
			peer, err := p.chatPeer(a.Peer)
			if err != nil {
				return api.ChatChanged{}, err
			}
			return p.chatChange(ctx, func(s ChatStore, done func(int64, int, error)) {
				s.MarkRead(peer, func(n int64, unread int, err error) {
					if err == nil {
						p.post(func() { p.sendDisplayed(peer) }) // chatdisplay.go
					}
					done(n, unread, err)
				})
			})
		}),
		api.Handle(api.CmdChatDelete, func(ctx context.Context, a *api.ChatDeleteArgs) (api.ChatChanged, error) {
			var peer string
			switch {
			case (a.ID == 0) == (a.Peer == ""):
				return api.ChatChanged{}, api.BadArg("id", "give either a message id or a peer")
			case a.ID < 0:
				return api.ChatChanged{}, api.BadArg("id", "must be the id of a message")
			case a.Peer != "":
				var err error
				if peer, err = p.chatPeer(a.Peer); err != nil {
					return api.ChatChanged{}, err
				}
			}
			return p.chatChange(ctx, func(s ChatStore, done func(int64, int, error)) { s.DeleteMessages(a.ID, peer, done) })
		}),
	}
}

// chatSend stores the message and answers with its id, then sends it off the
// actor, from the account a names (the default for none), and reports its
// delivery (chat.status).
func (p *Phone) chatSend(a *api.ChatSendArgs, done answer) {
	from, err := p.dialAccount(a.Account) // accounts_dial.go
	if err != nil {
		done(nil, err)
		return
	}
	to, digits, err := splitDialString(a.To)
	switch {
	case err != nil:
		done(nil, err)
		return
	case digits != "":
		done(nil, api.BadArg("to", "a message takes no DTMF suffix"))
		return
	}
	target, err := p.targetFrom(from, to)
	if err != nil {
		done(nil, api.BadArg("to", err.Error()))
		return
	}
	if err := checkChatText(a.Text); err != nil {
		done(nil, err)
		return
	}
	if !p.canChat() {
		done(nil, ErrNoChat)
		return
	}
	messenger := p.cfg.SIP.(Messenger)
	m := api.ChatMessage{
		Direction: api.DirOutgoing, Account: aorOf(p.accountByID(from)), Peer: peerKey(target), PeerURI: target,
		Time: p.now().UnixMilli(), Text: a.Text, State: api.ChatStateSent, Read: true,
	}
	p.cfg.Chat.AddMessage(m, func(m api.ChatMessage, _ int, err error) {
		p.post(func() {
			if err != nil {
				done(nil, err)
				return
			}
			p.bus.Emit(api.EvChatMessage, m)
			done(api.ChatSent{ID: m.ID, Peer: m.Peer}, nil)
			out := OutMessage{Account: p.stackID(from), Target: target, Text: m.Text}
			if p.settings.IMDN {
				out.Envelope = ourEnvelope(m, p.settings.IMDNDisplay) // chatimdn.go
			}
			p.goWork(func(ctx context.Context) { p.deliver(ctx, messenger, m, out) })
		})
	})
}

// deliver sends out, the MESSAGE of m, ours and stored, and records and reports
// what became of it. In an envelope, a 2xx leaves it sent, for the recipient's
// delivery notification to say more (chatimdn.go). It runs in a worker.
func (p *Phone) deliver(ctx context.Context, messenger Messenger, m api.ChatMessage, out OutMessage) {
	code, reason, err := messenger.SendMessage(ctx, out)
	state := api.ChatStateFailed
	switch {
	case err != nil:
		code, reason = 0, err.Error()
	case code >= 200 && code < 300 && out.Envelope != nil:
		p.log.Info("message sent, delivery notification asked", "to", m.PeerURI, "code", code)
		return
	case code >= 200 && code < 300:
		state = api.ChatStateDelivered
	}
	p.log.Info("message sent", "to", m.PeerURI, "state", state, "code", code)
	p.cfg.Chat.SetMessageState(m.ID, state, code, reason, func(_ api.ChatMessage, err error) {
		if err != nil {
			p.log.Warn("record a message's delivery", "id", m.ID, "err", err)
		}
		p.post(func() {
			p.bus.Emit(api.EvChatStatus, api.ChatStatus{ID: m.ID, Peer: m.Peer, State: state, Code: code, Reason: reason})
		})
	})
}

// chatAccount is the address of record the messages of the account with id are
// kept under, asked of the actor; an unknown account is ErrNoSuchAccount.
func (p *Phone) chatAccount(ctx context.Context, id string) (string, error) {
	v, err := p.request(ctx, func(done answer) {
		from, err := p.dialAccount(id) // accounts_dial.go
		if err != nil {
			done(nil, err)
			return
		}
		done(aorOf(p.accountByID(from)), nil)
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// chatPeer turns the peer of a chat command into its conversation's key: a key
// as chat.conversations gives it, or a number, user or URI as chat.send takes.
func (p *Phone) chatPeer(peer string) (string, error) {
	to, digits, err := splitDialString(peer)
	if err != nil || digits != "" {
		return "", api.BadArg("peer", "must be a conversation's peer, a number, a user or a SIP URI")
	}
	target, err := p.cfg.SIP.Target(to)
	if err != nil {
		return "", api.BadArg("peer", err.Error())
	}
	return peerKey(target), nil
}

// chatChange runs a change of the store (chat.read, chat.delete), posts the unread
// count it leaves to the actor, and answers with both.
func (p *Phone) chatChange(ctx context.Context, change func(ChatStore, func(int64, int, error))) (api.ChatChanged, error) {
	if p.cfg.Chat == nil {
		return api.ChatChanged{}, ErrNoChat
	}
	type result struct {
		api.ChatChanged
		err error
	}
	out := make(chan result, 1)
	change(p.cfg.Chat, func(n int64, unread int, err error) {
		if err == nil {
			p.post(func() { p.setUnread(unread) })
		}
		out <- result{api.ChatChanged{Changed: n, Unread: unread}, err}
	})
	select {
	case r := <-out:
		return r.ChatChanged, r.err
	case <-ctx.Done():
		return api.ChatChanged{}, ctx.Err()
	}
}
