package catalog

import (
	"errors"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// The Check functions validate the input of a write the same way in every
// implementation: each returns the error the method gives for it, or nil
// when the database may be written.

// CheckBeginRun validates the input of BeginRun.
func CheckBeginRun(r RunRow) error {
	if r.ID == "" || r.Started.IsZero() {
		return fmt.Errorf("begin run %q: id and start time are required", r.ID)
	}
	if err := errors.Join(checkTime("start time", r.Started), checkDigest("code", r.Code, true)); err != nil {
		return fmt.Errorf("begin run %s: %w", r.ID, err)
	}
	return nil
}

// CheckFinishRun validates the input of FinishRun.
func CheckFinishRun(rec *core.RunRecord, recDigest core.Digest) error {
	if rec == nil || rec.ID == "" || rec.Started.IsZero() {
		return fmt.Errorf("finish run: record without id or start time")
	}
	err := errors.Join(checkDigest("record digest", recDigest, false), checkDigest("code", rec.Code, true),
		checkTime("start time", rec.Started), checkTime("finish time", rec.Finished))
	if err != nil {
		return fmt.Errorf("finish run %s: %w", rec.ID, err)
	}
	return nil
}

// CheckSetRunStatus validates the input of SetRunStatus.
func CheckSetRunStatus(id string, finished time.Time) error {
	if err := checkTime("finish time", finished); err != nil {
		return fmt.Errorf("set status of run %s: %w", id, err)
	}
	return nil
}

// CheckPutTask validates the input of PutTask.
func CheckPutTask(rec *core.TaskRecord, recDigest core.Digest) error {
	if rec == nil || rec.Run == "" || rec.Step == "" {
		return fmt.Errorf("put task: record without run or step")
	}
	err := errors.Join(checkDigest("record digest", recDigest, false),
		checkDigest("cache_key", rec.CacheKey, true),
		checkTime("start time", rec.Started), checkTime("finish time", rec.Finished))
	for name, a := range rec.Outputs {
		err = errors.Join(err, checkDigest("output "+name, a.Digest, false))
	}
	if err != nil {
		return fmt.Errorf("put task %s/%s: %w", rec.Run, rec.Step, err)
	}
	return nil
}

// CheckBindName validates the input of BindName.
func CheckBindName(kind, name string, d, meta core.Digest) error {
	if kind == "" || name == "" {
		return fmt.Errorf("bind name %q of kind %q: kind and name are required", name, kind)
	}
	if err := errors.Join(checkDigest("digest", d, false), checkDigest("meta", meta, true)); err != nil {
		return fmt.Errorf("bind %s %s: %w", kind, name, err)
	}
	return nil
}

// NameTaken is the error of BindName when kind name is already bound to
// old, which differs from the digest d and metadata meta asked for; nil if
// old is that same binding.
func NameTaken(kind, name string, d, meta core.Digest, old NameRow) error {
	if old.Digest == d && old.Meta == meta {
		return nil
	}
	return fmt.Errorf("bind %s %s to %s (meta %s): %w: it is bound to %s (meta %s); versions are immutable, choose a new version",
		kind, name, d, orNone(meta), ErrNameTaken, old.Digest, orNone(old.Meta))
}

// orNone shows an empty digest as "none" in messages.
func orNone(d core.Digest) string {
	if d == "" {
		return "none"
	}
	return string(d)
}

// CheckPutAttestation validates the input of PutAttestation.
func CheckPutAttestation(a AttestationRow) error {
	err := errors.Join(checkDigest("bundle", a.Bundle, false), checkDigest("subject", a.Subject, false),
		checkTime("created", a.Created))
	if a.PredicateType == "" {
		err = errors.Join(err, errors.New("predicate type is required"))
	}
	if err != nil {
		return fmt.Errorf("put attestation %s: %w", a.Bundle, err)
	}
	return nil
}

// checkTime rejects times that Unix nanoseconds cannot hold (before 1678
// or after 2262); the zero time is allowed and means "not yet".
func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.Year(); y < 1678 || y > 2261 {
		return fmt.Errorf("%s %s is out of range (years 1678 to 2261)", field, t.Format(time.RFC3339))
	}
	return nil
}

// checkDigest rejects a malformed digest in field; when optional, "" is
// allowed and means none.
func checkDigest(field string, d core.Digest, optional bool) error {
	if d == "" && optional {
		return nil
	}
	if !d.Valid() {
		return fmt.Errorf("%s %q is not a digest (want sha256:<64 hex digits>)", field, d)
	}
	return nil
}
