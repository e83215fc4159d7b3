package config

// SinkPostgres is the sink.type of the PostgreSQL sink, which writes to
// the database at sink.dsn (a Secret: it may hold a password).
const SinkPostgres = "postgres"

// validateType checks sink.type and what that type needs.
func (s Sink) validateType(v *validator, at string) {
	v.oneOf(at+".type", s.Type, SinkFiles, SinkPostgres, SinkOpenSearch, SinkElasticsearch)
	if s.Type == SinkPostgres {
		v.required(at+".dsn", s.DSN.Reveal(), " when "+at+".type is postgres")
	}
	s.validateSearch(v, at)
}
