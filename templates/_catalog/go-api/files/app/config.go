package app

import (
	"fmt"
	"strconv"
)

// config holds the app's settings. They all come from environment
// variables, so the same code runs on a laptop and on the platform.
//
// Secrets (passwords, API keys, tokens) come from environment variables
// too, and only from there: never write one in the code, in runway.yaml or
// in .env.example. To use one:
//
//  1. Declare the integration in runway.yaml with the secret's NAME, for
//     example `secret: SLACK_BOT_TOKEN`.
//  2. Ask the platform team to store the value under that name. The
//     platform hands it to the app as an environment variable when it
//     starts.
//  3. Read it here with getenv("SLACK_BOT_TOKEN"), keep it in this struct,
//     and never log it.
//
// On your laptop, put the value in .env (which Git ignores), not in
// .env.example (which is shared with everyone).
type config struct {
	// Port is the port the app listens on. The platform sets PORT.
	Port string
}

// defaultPort is used when PORT is not set, for example on your laptop.
const defaultPort = "8080"

// loadConfig reads the settings from the environment.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{Port: getenv("PORT")}
	if cfg.Port == "" {
		cfg.Port = defaultPort
	}
	if n, err := strconv.Atoi(cfg.Port); err != nil || n < 0 || n > 65535 {
		return config{}, fmt.Errorf("PORT is %q: it must be a number between 0 and 65535", cfg.Port)
	}
	return cfg, nil
}
