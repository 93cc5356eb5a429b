// Every test here works against the lab (namespaces, daemons, the plugin binary): `make unit` leaves them out.
[assembly: AssemblyTrait("Category", "Live")]
