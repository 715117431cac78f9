package problems

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Record applies one notification to dir: FAILURE and WARNING write the
// problem (keeping when it began), OKAY removes it. now stands in for a
// notification without a Time.
func Record(dir string, n Notification, now time.Time) error {
	if n.Time.IsZero() {
		n.Time = now
	}
	path := filepath.Join(dir, n.fileName())
	if n.Severity == "OKAY" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("clearing the problem: %w", err)
		}
		return nil
	}
	p := Problem{Notification: n, Since: epoch(n.Time), Last: epoch(n.Time)}
	if old, err := readProblem(path); err == nil && old.Key() == n.Key() {
		p.Since = old.Since
	} else {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("problems directory: %w", err)
		}
		if len(ents) >= MaxProblems {
			return fmt.Errorf("problems directory %s holds %d files, the most it may: %s/%s not recorded", dir, len(ents), n.Host, n.Plugin)
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	// Written aside and renamed, so List never reads half a file.
	tmp, err := os.CreateTemp(dir, ".new-*")
	if err != nil {
		return fmt.Errorf("problems directory: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the problem: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// List returns dir's current problems, by host, plugin instance and
// start, and how many files it skipped (past MaxProblems, unreadable,
// malformed). A restart older than RestartShown is left out. A missing
// directory is no problem at all.
func List(dir string, now time.Time) (list []Problem, skipped int, err error) {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("problems directory: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(MaxProblems + 1)
	if err != nil && err != io.EOF {
		return nil, 0, fmt.Errorf("problems directory: %w", err)
	}
	if len(names) > MaxProblems {
		names, skipped = names[:MaxProblems], 1
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		p, err := readProblem(filepath.Join(dir, name))
		if err != nil {
			skipped++
			continue
		}
		if p.TypeInstance == "restart" && p.Severity != "FAILURE" && now.Sub(time.Unix(int64(p.Last), 0)) > RestartShown {
			continue
		}
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.PluginInstance != b.PluginInstance {
			return a.PluginInstance < b.PluginInstance
		}
		if a.Since != b.Since {
			return a.Since < b.Since
		}
		return a.Key() < b.Key()
	})
	return list, skipped, nil
}

// readProblem reads and checks one file: bounded in size, its names
// within collectd's limits (a hand-made or stale file is skipped, not
// shown).
func readProblem(path string) (Problem, error) {
	var p Problem
	f, err := os.Open(path)
	if err != nil {
		return p, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return p, err
	}
	if len(b) > maxFile {
		return p, fmt.Errorf("%s: over %d bytes", path, maxFile)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range []string{p.Host, p.Plugin, p.PluginInstance, p.Type, p.TypeInstance} {
		if len(s) > MaxName {
			return p, fmt.Errorf("%s: a name over %d bytes", path, MaxName)
		}
	}
	if p.Severity != "FAILURE" && p.Severity != "WARNING" || p.Host == "" || len(p.Message) > MaxMessage {
		return p, fmt.Errorf("%s: not a problem", path)
	}
	return p, nil
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
