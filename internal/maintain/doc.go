// Package maintain keeps a lockstep home healthy: check verifies every
// object against its digest and the catalog against the store, gc removes
// what no kept run, dataset or name reaches (mark and sweep under the
// exclusive store lock), and rebuild recreates the catalog from the records
// in the store.
//
// References are found generically: any string of the form sha256:<hex>
// inside a lockstep record (canonical JSON whose "type" starts with
// "lockstep.") names another object, so new record types need no change here.
package maintain
