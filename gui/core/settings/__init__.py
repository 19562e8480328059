"""Settings: the user's preferences (which engine, appearance, what new containers get by default), each read back
with validation so a broken saved value falls back to its default with a sentence saying so (`preferences`); the
docker contexts the docker CLI knows and the engine Portside finds without a choice (`contexts`); and the folders
where Portside keeps its files (`folders`)."""
