"""The SPARQL 1.1 endpoint: protocol, guard, worker pool, results, service description."""
