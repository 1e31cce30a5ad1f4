package commandinjection

import (
	"context"
	"os/exec"
)

func version(ctx context.Context) ([]byte, error) {
	return exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
}
