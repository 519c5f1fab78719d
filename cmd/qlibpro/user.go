package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/notify"
)

const userUsage = `Usage:
  qlibpro user create --email E --name N [--admin] [--generate]
  qlibpro user set-role --email E --role trader|admin
  qlibpro user disable --email E [--enable]

create reads the password from stdin (one line), or with --generate makes a
strong one and prints it once. Role changes and disabling end the user's
sessions at their next request.`

func cmdUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: "user needs a subcommand", usage: userUsage + "\n"}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintln(e.stdout, userUsage)
		return nil
	case "create", "set-role", "disable":
	default:
		return &usageError{msg: fmt.Sprintf("unknown user subcommand %q", args[0]), usage: userUsage + "\n"}
	}
	fs := newFlags("user " + args[0])
	email := fs.String("email", "", "the account's email")
	name := fs.String("name", "", "display name (create)")
	admin := fs.Bool("admin", false, "create as an admin")
	generate := fs.Bool("generate", false, "generate the password and print it once (create)")
	role := fs.String("role", "", "trader or admin (set-role)")
	enable := fs.Bool("enable", false, "re-enable instead of disabling (disable)")
	if err := parse(e, fs, userUsage, args[1:]); err != nil {
		return err
	}
	if *email == "" || fs.NArg() > 0 {
		return &usageError{msg: "--email is required and no arguments are taken", usage: userUsage + "\n"}
	}
	return withPool(ctx, e, func(cfg config.Config, pool *pgxpool.Pool) error {
		svc := auth.NewService(pool, nil, notify.LogMailer{Log: slog.New(slog.NewTextHandler(e.stderr, nil))}, newLogger(cfg, e.stderr), auth.Options{})
		m := auth.Meta{IP: "cli", UserAgent: "qlibpro user " + args[0]}
		err := runUser(ctx, e, svc, pool, args[0], *email, *name, *role, *admin, *generate, *enable, m)
		if ae, ok := apperr.As(err); ok && ae.Code != apperr.Internal {
			return &usageError{msg: ae.Message}
		}
		return err
	})
}

func runUser(ctx context.Context, e env, svc *auth.Service, pool *pgxpool.Pool, sub, email, name, role string, admin, generate, enable bool, m auth.Meta) error {
	switch sub {
	case "create":
		if name == "" {
			return &usageError{msg: "create needs --name", usage: userUsage + "\n"}
		}
		password, err := readPassword(e.stdin, generate)
		if err != nil {
			return err
		}
		r := auth.RoleTrader
		if admin {
			r = auth.RoleAdmin
		}
		u, err := svc.CreateUser(ctx, auth.Registration{Email: email, Name: name, Password: password}, r, 0, m)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created %s %s (%s)\n", u.Role, u.Email, u.Pseudonym)
		if generate {
			fmt.Fprintf(e.stdout, "password (shown once): %s\n", password)
		}
		return nil
	case "set-role":
		u, err := svc.FindUser(ctx, email)
		if err != nil {
			return err
		}
		if u, err = svc.SetRole(ctx, 0, u.ID, role, m); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s is now %s\n", u.Email, u.Role)
		return nil
	}
	u, err := svc.FindUser(ctx, email)
	if err != nil {
		return err
	}
	if u, err = svc.SetDisabled(ctx, 0, u.ID, !enable, m); err != nil {
		return err
	}
	state := "disabled"
	if !u.Disabled {
		state = "enabled"
	}
	fmt.Fprintf(e.stdout, "%s is %s\n", u.Email, state)
	return nil
}

// readPassword reads one line from stdin, or generates a strong password.
func readPassword(stdin io.Reader, generate bool) (string, error) {
	if generate {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return base64.RawURLEncoding.EncodeToString(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", &usageError{msg: "no password on stdin (or pass --generate)", usage: userUsage + "\n"}
	}
	return line, nil
}
