// Package home opens a lockstep home: the object store, the catalog and
// the store-wide lock, from the URLs in the home's config.yaml
// (`store:`, `catalog:`), which LOCKSTEP_STORE and LOCKSTEP_CATALOG
// override. Each URL's scheme picks an implementation from the store's and
// the catalog's registries; an unknown scheme is an error listing the
// known ones. Without a config the home is the embedded default: objects
// in the home folder and SQLite in HOME/catalog.db. The home folder always
// holds what belongs to this machine: the config, work and temp folders,
// and the lock file. The store-wide lock (runs shared, gc exclusive) is
// that file's flock, or, when the catalog is PostgreSQL and so shared by
// hosts, advisory locks in its database (lock/pglock).
package home
