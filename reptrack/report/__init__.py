"""Session output: text table, JSON (model.Session.to_json_dict), CSV, HTML."""
