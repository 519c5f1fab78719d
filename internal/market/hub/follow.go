package hub

import "time"

// Why a batch was ignored: the reason label of hub_batches_ignored_total.
const (
	ignoredDeployment = iota // published by another deployment on the same channel
	ignoredStale             // published by a feed leader older than the one followed
	numReasons
)

var ignoreReasons = [numReasons]string{ignoredDeployment: "deployment", ignoredStale: "stale_epoch"}

// warnEvery spaces out the warnings about ignored batches: a stale leader
// or a misconfigured neighbour publishes several batches a second.
const warnEvery = time.Minute

// follow reports whether the hub applies a batch from src. Only its own
// deployment counts. Within it the hub follows the newest feed leader it
// has seen: a higher epoch is a new leader, followed from its first batch
// on, so a failover costs no delay; a lower one is a leader that has lost
// its lock but still publishes, ignored from then on. Before the first
// batch any epoch is accepted, so a restarted hub follows the leader at once.
func (h *Hub) follow(src Source) bool {
	switch leader := h.leader.Load(); {
	case src.Deployment != h.deployment:
		h.ignore(ignoredDeployment, src)
		return false
	case src.Epoch < leader:
		h.ignore(ignoredStale, src)
		return false
	case src.Epoch > leader:
		h.leader.Store(src.Epoch)
		h.opts.Logger.Info("hub: following a new feed leader", "channel", h.channel,
			"epoch", src.Epoch, "previous", leader)
	}
	return true
}

func (h *Hub) ignore(reason int, src Source) {
	n := h.stats.ignored[reason].Add(1)
	if c := h.opts.BatchesIgnored; c != nil {
		c.WithLabelValues(ignoreReasons[reason]).Inc()
	}
	if now := time.Now(); now.Sub(h.warned[reason]) >= warnEvery {
		h.warned[reason] = now
		h.opts.Logger.Warn("hub: ignoring quote batches", "reason", ignoreReasons[reason], "channel", h.channel,
			"from_deployment", src.Deployment, "from_epoch", src.Epoch,
			"deployment", h.deployment, "epoch", h.leader.Load(), "ignored_so_far", n)
	}
}
