package bus

import "encoding/base64"

// The object store's layout (NATS ADR-20): stream OBJ_<bucket>, chunks on
// $O.<bucket>.C.<nuid>, the info on $O.<bucket>.M.<base64url name>.

// ObjectStream is the name of the stream behind object store bucket.
func ObjectStream(bucket string) string { return "OBJ_" + bucket }

// ChunkSubject is the subject of the chunks of the object with nuid.
func ChunkSubject(bucket, nuid string) string { return "$O." + bucket + ".C." + nuid }

// MetaSubject is the subject of the info of the object called name.
func MetaSubject(bucket, name string) string {
	return "$O." + bucket + ".M." + base64.URLEncoding.EncodeToString([]byte(name))
}
