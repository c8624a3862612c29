REPORT = None
