"""scorecard"""
