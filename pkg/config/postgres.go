package config

// SinkPostgres is the sink.type of the PostgreSQL sink, which writes to
// the database at sink.dsn (a Secret: it may hold a password).
const SinkPostgres = "postgres"

// validateType checks sink.type and what that type needs.
func (s Sink) validateType(v *validator) {
	v.oneOf("sink.type", s.Type, SinkFiles, SinkPostgres)
	if s.Type == SinkPostgres {
		v.required("sink.dsn", s.DSN.Reveal(), " when sink.type is postgres")
	}
}
